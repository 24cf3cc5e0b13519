// Offers in their conflict-check probe (docs/protocol.md "Offers yield under pressure"): such an address has not
// been checked yet, so it is offered to no one else, not even unreserved (offer-unreserved.ts), and a REQUEST of an
// unreserved offer does not take it (handlers/unreserved-win.ts). Concurrent DISCOVERs for a full pool once took
// an offer from one another mid-probe until one ran out of candidates, with OFFERs sent for addresses already gone.
// Once its OFFER is sent the offer is no longer tracked here.
import type { LeaseRecord } from '../../machines/lease.types.js';

interface Probe {
  readonly clientKey: string;
  /** The offer's `changedAt` when it was held: a later record of the address is another offer. */
  readonly changedAt: number;
  /** Epoch ms the probe ends at the latest (its timeout): a probe cut short (its transaction stopped) ends there. */
  readonly until: number;
}

/**
 * One entry per address whose offer is in its probe, in the order they were held. Sent offers leave at once and
 * lapsed ones at the front go on each hold: bounded by the probes in flight (`conflictCheck.maxConcurrent`).
 */
export class ProbingOffers {
  private readonly probes = new Map<string, Probe>();

  /** A DISCOVER just held (or re-held) this offer: in its probe for at most `probeMs` (0: no probe, sent now). */
  held(record: LeaseRecord, now: number, probeMs: number): void {
    const { ip, clientKey, changedAt } = record.context;
    this.probes.delete(ip);
    if (probeMs > 0) this.probes.set(ip, { clientKey, changedAt, until: now + probeMs });
    this.sweep(now);
  }

  /** The probe of the client's offer ended: the OFFER goes out now. */
  sent(ip: string, clientKey: string): void {
    if (this.probes.get(ip)?.clientKey === clientKey) this.probes.delete(ip);
  }

  /** Is this offer in its conflict-check probe at `at`. An entry that names an earlier offer of the address goes. */
  inProbe(record: LeaseRecord, at: number): boolean {
    const { ip, clientKey, changedAt } = record.context;
    const probe = this.probes.get(ip);
    if (probe === undefined) return false;
    const same = record.state === 'offered' && probe.clientKey === clientKey && probe.changedAt === changedAt;
    if (!same) this.probes.delete(ip);
    return same && at < probe.until;
  }

  get size(): number {
    return this.probes.size;
  }

  private sweep(now: number): void {
    for (const [ip, probe] of this.probes) {
      if (probe.until > now) return;
      this.probes.delete(ip);
    }
  }
}
