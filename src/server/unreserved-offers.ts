// Offers that do not reserve their address (docs/protocol.md "Offers yield under pressure"): when a pool has no free
// address, a DISCOVER is still answered, with an address another client's
// offer holds, and that offer stays. What the REQUEST needs to be believed is kept here: which address this
// client was offered, in which subnet, until when. The first REQUEST for the address wins it.
//
// Bounded: a flood of DISCOVERs from random MACs makes one entry per packet. Entries go when they expire (the offer
// hold) and, past `max`, the oldest go first: under a flood the newest entries — a real client's among them, whose
// REQUEST is one round trip away — are the ones kept. At 16,384 entries (about 2.5 MB) that is about 8 s of a
// 2,000 DISCOVERs/s flood, far more than a client's round trip.

import { TimeOrderedKeys } from '../collections/time-ordered-keys.js';

export const UNRESERVED_OFFERS_MAX = 16_384;

export interface UnreservedOffer {
  readonly ip: string;
  readonly subnetId: number;
  /** Epoch ms (exclusive): a REQUEST after it is judged as for any offer that is gone. */
  readonly until: number;
}

export class UnreservedOffers {
  private readonly byClient = new Map<string, UnreservedOffer>();
  /** The offers in the order they were made, so the oldest goes first (a renewed one is then the newest). */
  private readonly order = new TimeOrderedKeys<UnreservedOffer>((clientKey) => this.byClient.get(clientKey));
  private turn = 0;
  /** Entries dropped to stay within `max` before they expired. */
  evicted = 0;

  constructor(private readonly max = UNRESERVED_OFFERS_MAX) {}

  /** Records (or renews) the client's unreserved offer. */
  made(clientKey: string, offer: UnreservedOffer, now: number): void {
    this.byClient.set(clientKey, offer);
    this.order.push(clientKey, offer);
    this.sweep(now);
  }

  /** Whether any client holds an unreserved offer (a full pool's): nearly always none, and then none is looked up. */
  get any(): boolean {
    return this.byClient.size > 0;
  }

  /** The client's unreserved offer in the subnet, unless it expired. */
  of(clientKey: string, subnetId: number, now: number): UnreservedOffer | undefined {
    const offer = this.byClient.get(clientKey);
    return offer !== undefined && offer.subnetId === subnetId && now < offer.until ? offer : undefined;
  }

  /** The client got a real offer or a binding, chose another server, or its REQUEST was judged. */
  forget(clientKey: string): void {
    if (this.byClient.size > 0) this.byClient.delete(clientKey);
  }

  /**
   * Which of `candidates` to offer next: the client's own unreserved address if it is still one of them (a
   * retransmitted DISCOVER gets the same offer), else the next in turn, so concurrent clients spread over the pool
   * and their REQUESTs do not all race for one address.
   */
  choose(clientKey: string, subnetId: number, candidates: readonly string[], now: number): string {
    const mine = this.of(clientKey, subnetId, now)?.ip;
    if (mine !== undefined && candidates.includes(mine)) return mine;
    this.turn = (this.turn + 1) % 0x40000000;
    return candidates[this.turn % candidates.length]!;
  }

  get size(): number {
    return this.byClient.size;
  }

  /** Drops the expired entries and the oldest beyond `max`. */
  private sweep(now: number): void {
    const { byClient } = this;
    this.order.dropOldest((clientKey, offer) => {
      if (byClient.size > this.max) this.evicted++;
      else if (offer.until > now) return false;
      return byClient.delete(clientKey);
    });
    this.order.compact(byClient.size);
  }
}
