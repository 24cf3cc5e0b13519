// Offers yield under pressure, but not while their client can still be on its way (docs/protocol.md "Offers yield
// under pressure"): an offer in its conflict-check probe was not sent yet, and one just sent awaits a REQUEST one
// round trip away. Reclaiming either wastes the exchange — concurrent DISCOVERs for a full pool took an offer from
// one another mid-probe until one ran out of candidates, and a legitimate client's just-sent offer, the only one
// not in a probe during a DISCOVER flood, went to the flood within milliseconds and its REQUEST was NAKed.
// So an offer is shielded from its hold until its probe could have ended, then from the moment it is sent for
// `offerRequestWindowMs`; after that it is soft again.
import type { LeaseRecord } from '../../machines/lease.types.js';

interface Shield {
  readonly clientKey: string;
  /** The offer's `changedAt` when it was held: a later record of the address is another offer. */
  readonly changedAt: number;
  /** Epoch ms the shield ends (exclusive). */
  readonly until: number;
  /** The OFFER went out (no probe, or its probe ended): the address was checked, its client may be answering. */
  readonly sent: boolean;
}

/**
 * One shield per address, in the order the offers were held. Expired shields at the front go on each hold, so the
 * map holds about the offers made in the last `timeoutMs + offerRequestWindowMs`, and never more than the pools.
 */
export class OfferShields {
  private readonly shields = new Map<string, Shield>();

  /**
   * A DISCOVER just held (or re-held) this offer and is about to send it: shielded until `windowMs` after it is
   * sent, at the latest `probeMs` from now (the longest its conflict check may take; 0 without a probe).
   */
  held(record: LeaseRecord, now: number, probeMs: number, windowMs: number): void {
    const { ip, clientKey, changedAt } = record.context;
    this.shields.delete(ip);
    this.shields.set(ip, { clientKey, changedAt, until: now + probeMs + windowMs, sent: probeMs === 0 });
    this.sweep(now);
  }

  /** The probe of the client's offer ended: the OFFER goes out now, shielded for `windowMs` from now. */
  sent(ip: string, clientKey: string, now: number, windowMs: number): void {
    const shield = this.shields.get(ip);
    if (shield?.clientKey === clientKey) this.shields.set(ip, { ...shield, until: now + windowMs, sent: true });
  }

  /** Was this offer shielded at `at`. A shield that names an earlier offer of the address goes. */
  protects(record: LeaseRecord, at: number): boolean {
    const { ip, clientKey, changedAt } = record.context;
    const shield = this.shields.get(ip);
    if (shield === undefined) return false;
    const same = record.state === 'offered' && shield.clientKey === clientKey && shield.changedAt === changedAt;
    if (!same) this.shields.delete(ip);
    return same && at < shield.until;
  }

  /**
   * Was this offer, shielded at `at`, already sent: its address passed its conflict check, so it may be offered
   * unreserved to another client too (offer-unreserved.ts). False for one still in its probe, or not shielded.
   */
  wasSent(record: LeaseRecord, at: number): boolean {
    return this.protects(record, at) && this.shields.get(record.context.ip)!.sent;
  }

  /** Is this offer still in its conflict-check probe (shielded, not yet sent). */
  inProbe(record: LeaseRecord, at: number): boolean {
    return this.protects(record, at) && !this.shields.get(record.context.ip)!.sent;
  }

  get size(): number {
    return this.shields.size;
  }

  private sweep(now: number): void {
    for (const [ip, shield] of this.shields) {
      if (shield.until > now) return;
      this.shields.delete(ip);
    }
  }
}
