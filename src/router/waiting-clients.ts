// Clients whose exchange waits for their next message (the transaction machine's `awaitingRequest`, after an OFFER):
// one number per client instead of a live lane, actor and timer. In that state the machine holds nothing of the
// exchange (its entry forgets the DISCOVER and the OFFER; the lease book or the unreserved-offer table holds the
// offer) and its only way out without a message is `clientQuiet`, which does nothing but end the exchange; so the
// router keeps just the client's key and until when it waits, and the client's next message resumes a transaction
// in `awaitingRequest` (docs/security.md "Memory under a flood").
//
// Why: a flood of DISCOVERs from random MACs leaves one waiting exchange per OFFER for clientQuiet (5 s). As live
// lanes those were ~1 KB each (lane, actor, snapshot, three callbacks, a Node timer), promoted to the old generation
// by every scavenge. Here an entry is a Map slot, the key string the request already made, and two numbers.
//
// Bounded: entries go when they expire (the oldest first, swept on every park) and, when the router needs room for
// a new client, the oldest waiting one goes first (`evictOldest`): evicting one is harmless — the client's REQUEST
// then starts a transaction of its own, with the same decision.
import { TimeOrderedKeys } from '../collections/time-ordered-keys.js';

export class WaitingClients {
  /** Until when (epoch ms, exclusive) each client's exchange waits. */
  private readonly until = new Map<string, number>();
  /** The parks in time order, so the one to expire first is the oldest. */
  private readonly order = new TimeOrderedKeys<number>((clientKey) => this.until.get(clientKey));
  /** Entries dropped for room before they expired. */
  evicted = 0;

  constructor(private readonly waitMs: number) {}

  /** The client's exchange now waits for its next message, for `waitMs` from `now`. */
  park(clientKey: string, now: number): void {
    const until = now + this.waitMs;
    this.until.set(clientKey, until);
    this.order.push(clientKey, until);
    this.sweep(now);
  }

  /** Whether the client's exchange was waiting (and still is at `now`); it no longer is either way. */
  take(clientKey: string, now: number): boolean {
    const until = this.until.get(clientKey);
    if (until === undefined) return false;
    this.until.delete(clientKey);
    return now < until;
  }

  /** Makes room for a new client: the exchange waiting longest goes. False when none waits. */
  evictOldest(now: number): boolean {
    this.sweep(now);
    let evicted = false;
    this.order.dropOldest((clientKey) => {
      if (evicted) return false;
      this.until.delete(clientKey);
      this.evicted++;
      return (evicted = true);
    });
    return evicted;
  }

  /** Exchanges still waiting at `now` (the expired ones are dropped first). */
  size(now: number): number {
    this.sweep(now);
    return this.until.size;
  }

  clear(): void {
    this.until.clear();
    this.order.clear();
  }

  private sweep(now: number): void {
    this.order.dropOldest((clientKey, until) => until <= now && this.until.delete(clientKey));
    this.order.compact(this.until.size);
  }
}
