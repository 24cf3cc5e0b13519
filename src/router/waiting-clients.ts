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

export class WaitingClients {
  /** Until when (epoch ms, exclusive) each client's exchange waits. */
  private readonly until = new Map<string, number>();
  /**
   * Every park in time order (so the one to expire first is at `head`), with its time: an entry whose time is no
   * longer the client's (parked again, taken, evicted) is stale and skipped. Not the Map's own order: a Map used as
   * a queue is walked over the holes of its deleted entries from the front until it rehashes (response-cache.ts).
   */
  private keys: string[] = [];
  private times: number[] = [];
  private head = 0;
  /** Entries dropped for room before they expired. */
  evicted = 0;

  constructor(private readonly waitMs: number) {}

  /** The client's exchange now waits for its next message, for `waitMs` from `now`. */
  park(clientKey: string, now: number): void {
    const until = now + this.waitMs;
    this.until.set(clientKey, until);
    this.keys.push(clientKey);
    this.times.push(until);
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
    for (; this.head < this.keys.length; this.head++) {
      const clientKey = this.keys[this.head]!;
      if (this.until.get(clientKey) !== this.times[this.head]) continue;
      this.until.delete(clientKey);
      this.evicted++;
      this.head++;
      return true;
    }
    return false;
  }

  /** Exchanges still waiting at `now` (the expired ones are dropped first). */
  size(now: number): number {
    this.sweep(now);
    return this.until.size;
  }

  clear(): void {
    this.until.clear();
    this.keys = [];
    this.times = [];
    this.head = 0;
  }

  /** Drops the expired entries from the front; keeps the queue at most about twice the live entries. */
  private sweep(now: number): void {
    const { keys, times, until } = this;
    for (; this.head < keys.length; this.head++) {
      const clientKey = keys[this.head]!;
      const time = times[this.head]!;
      const live = until.get(clientKey) === time;
      if (live && time > now) break;
      if (live) until.delete(clientKey);
    }
    if (this.head > 1024 && this.head * 2 > keys.length) this.compact((i) => i >= this.head);
    else if (keys.length - this.head > 2 * until.size + 1024) this.compact((i) => i >= this.head && until.get(keys[i]!) === times[i]);
  }

  private compact(keep: (i: number) => boolean): void {
    const keys: string[] = [];
    const times: number[] = [];
    for (let i = this.head; i < this.keys.length; i++) {
      if (!keep(i)) continue;
      keys.push(this.keys[i]!);
      times.push(this.times[i]!);
    }
    this.keys = keys;
    this.times = times;
    this.head = 0;
  }
}
