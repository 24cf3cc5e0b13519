// The addresses held as offers, oldest first, per subnet: when a pool runs out, the oldest offer nobody REQUESTed
// is the one to give up (docs/protocol.md "Offers yield under pressure"). Bounded by the pools: one entry per offer.
import type { LeaseRecord } from '../../machines/lease.types.js';

export class OfferQueue {
  /** Insertion-ordered: a Set iterates in the order its addresses were (re-)offered. */
  private readonly bySubnet = new Map<number, Set<string>>();

  /** Follows one lease record's change; a re-offer (a retransmitted DISCOVER) moves the address to the back. */
  update(before: LeaseRecord | undefined, after: LeaseRecord | undefined): void {
    if (before?.state === 'offered') this.remove(before.context.subnetId, before.context.ip);
    if (after?.state !== 'offered') return;
    const { subnetId, ip } = after.context;
    let queue = this.bySubnet.get(subnetId);
    if (queue === undefined) this.bySubnet.set(subnetId, (queue = new Set()));
    queue.add(ip);
  }

  /** The subnet's offered addresses, oldest offer first. Safe to change the queue while iterating. */
  *oldest(subnetId: number): Generator<string> {
    const queue = this.bySubnet.get(subnetId);
    if (queue !== undefined) yield* queue;
  }

  get size(): number {
    let n = 0;
    for (const queue of this.bySubnet.values()) n += queue.size;
    return n;
  }

  private remove(subnetId: number, ip: string): void {
    const queue = this.bySubnet.get(subnetId);
    queue?.delete(ip);
    if (queue?.size === 0) this.bySubnet.delete(subnetId);
  }
}
