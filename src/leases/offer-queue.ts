// The addresses held as offers, oldest first, per subnet: when a pool runs out, the oldest offer nobody REQUESTed
// is the one to give up (docs/protocol.md "Offers yield under pressure"). Bounded by the pools: one entry per offer.
import type { LeaseRecord } from '../../machines/lease.types.js';
import { OrderedSlotMap } from '../collections/ordered-slot-map.js';

export class OfferQueue {
  /**
   * Insertion-ordered, an address set again going to the back. Not a Set: an address comes and goes once per DORA,
   * and a long-lived Set's reallocated tables are promoted one after the other (src/collections/key-slot-index.ts).
   */
  private readonly bySubnet = new Map<number, OrderedSlotMap<true>>();

  /** Follows one lease record's change; a re-offer (a retransmitted DISCOVER) moves the address to the back. */
  update(before: LeaseRecord | undefined, after: LeaseRecord | undefined): void {
    if (before?.state === 'offered') this.bySubnet.get(before.context.subnetId)?.delete(before.context.ip);
    if (after?.state !== 'offered') return;
    const { subnetId, ip } = after.context;
    let queue = this.bySubnet.get(subnetId);
    if (queue === undefined) this.bySubnet.set(subnetId, (queue = new OrderedSlotMap()));
    queue.set(ip, true);
  }

  /** The subnet's offered addresses, oldest offer first. Safe to change the queue while iterating. */
  *oldest(subnetId: number): Generator<string> {
    const queue = this.bySubnet.get(subnetId);
    if (queue !== undefined) yield* queue.keysOldestFirst();
  }
}
