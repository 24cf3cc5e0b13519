// Offers that do not reserve their address (docs/protocol.md "Offers yield under pressure"): when a pool has no free
// address, a DISCOVER is still answered, with an address another client's
// offer holds, and that offer stays. What the REQUEST needs to be believed is kept here: which address this
// client was offered, in which subnet, until when. The first REQUEST for the address wins it.
//
// Bounded: a flood of DISCOVERs from random MACs makes one entry per packet. Entries go when they expire (the offer
// hold) and, past `max`, the oldest go first: under a flood the newest entries — a real client's among them, whose
// REQUEST is one round trip away — are the ones kept. At 16,384 entries (about 2.5 MB) that is about 8 s of a
// 2,000 DISCOVERs/s flood, far more than a client's round trip.

export const UNRESERVED_OFFERS_MAX = 16_384;

export interface UnreservedOffer {
  readonly ip: string;
  readonly subnetId: number;
  /** Epoch ms (exclusive): a REQUEST after it is judged as for any offer that is gone. */
  readonly until: number;
}

export class UnreservedOffers {
  private readonly byClient = new Map<string, UnreservedOffer>();
  /**
   * Every offer recorded, in the order it was made (so the oldest is at `head`): one no longer the client's entry
   * (renewed, forgotten) is stale and skipped. Not the Map's own order: a Map used as a queue is walked over the holes
   * of its deleted entries from the front until it rehashes (response-cache.ts), which at 16,384 entries cost ~10 µs
   * per offer recorded under a flood.
   */
  private keys: string[] = [];
  private offers: UnreservedOffer[] = [];
  private head = 0;
  private turn = 0;
  /** Entries dropped to stay within `max` before they expired. */
  evicted = 0;

  constructor(private readonly max = UNRESERVED_OFFERS_MAX) {}

  /** Records (or renews) the client's unreserved offer. */
  made(clientKey: string, offer: UnreservedOffer, now: number): void {
    this.byClient.set(clientKey, offer);
    this.keys.push(clientKey);
    this.offers.push(offer);
    this.sweep(now);
  }

  /** The client's unreserved offer in the subnet, unless it expired. */
  of(clientKey: string, subnetId: number, now: number): UnreservedOffer | undefined {
    const offer = this.byClient.get(clientKey);
    return offer !== undefined && offer.subnetId === subnetId && now < offer.until ? offer : undefined;
  }

  /** The client got a real offer or a binding, chose another server, or its REQUEST was judged. */
  forget(clientKey: string): void {
    this.byClient.delete(clientKey);
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

  /** Drops the expired entries and the oldest beyond `max`; keeps the queue at most about twice the live entries. */
  private sweep(now: number): void {
    const { keys, offers, byClient } = this;
    for (; this.head < keys.length; this.head++) {
      const clientKey = keys[this.head]!;
      const offer = offers[this.head]!;
      if (byClient.get(clientKey) === offer) {
        if (byClient.size > this.max) this.evicted++;
        else if (offer.until > now) break;
        byClient.delete(clientKey);
      }
    }
    if (this.head > 1024 && this.head * 2 > keys.length) this.compact((i) => i >= this.head);
    else if (keys.length - this.head > 2 * byClient.size + 1024) this.compact((i) => byClient.get(keys[i]!) === offers[i]);
  }

  private compact(keep: (i: number) => boolean): void {
    const keys: string[] = [];
    const offers: UnreservedOffer[] = [];
    for (let i = this.head; i < this.keys.length; i++) {
      if (!keep(i)) continue;
      keys.push(this.keys[i]!);
      offers.push(this.offers[i]!);
    }
    this.keys = keys;
    this.offers = offers;
    this.head = 0;
  }
}
