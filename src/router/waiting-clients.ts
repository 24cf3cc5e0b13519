// The router's clients with an exchange under way, in one table: deciding (the client's lane) or waiting for the
// client's next message (the transaction machine's `awaitingRequest`, after an OFFER). A waiting exchange is one
// number per client instead of a live lane, actor and timer. In that state the machine holds nothing of the exchange
// (its entry forgets the DISCOVER and the OFFER; the lease book or the unreserved-offer table holds the offer) and its
// only way out without a message is `clientQuiet`, which does nothing but end the exchange; so the router keeps just
// until when it waits, and the client's next message resumes a transaction in `awaitingRequest` (docs/security.md
// "Memory under a flood").
//
// Why one table of slots: a client's key is looked up once per request (a DORA: found or added on each message,
// deleted at its end — four Map operations in all, where a Map of lanes beside a Map of waiting times took about
// fifteen), and the Map holds slot numbers only. A Map of lanes churning by two lanes per DORA got every lane since
// its last promoted table promoted with its whole exchange (src/collections/slot-map.ts says how); the slot numbers
// are in a KeySlotIndex, whose typed table is not reallocated as clients come and go.
//
// Bounded: waiting entries go when they expire (the oldest first, swept on every park) and, when the router needs
// room for a new client, the oldest waiting one goes first (`evictOldest`): evicting one is harmless — the client's
// REQUEST then starts a transaction of its own, with the same decision. The time order is a queue of (slot,
// generation, until) records in typed arrays: a record is live while its slot's generation is the one it recorded
// (every park, take, expiry and eviction moves it on), so checking one costs no Map lookup.

import { KeySlotIndex } from '../collections/key-slot-index.js';

const INITIAL_SLOTS = 64;

export class WaitingClients<L extends object = object> {
  private readonly slotOf = new KeySlotIndex<string>();
  private keys: (string | undefined)[] = [];
  private lanes: (L | undefined)[] = [];
  private waitingAt = new Uint8Array(INITIAL_SLOTS);
  private until = new Float64Array(INITIAL_SLOTS);
  private generation = new Uint32Array(INITIAL_SLOTS);
  private readonly free: number[] = [];
  private lanesHeld = 0;
  private waitingHeld = 0;
  /** The parks in time order (a ring): slot, its generation then, until when. */
  private orderSlot = new Int32Array(INITIAL_SLOTS);
  private orderGeneration = new Uint32Array(INITIAL_SLOTS);
  private orderUntil = new Float64Array(INITIAL_SLOTS);
  private orderHead = 0;
  private orderLength = 0;
  /** Entries dropped for room before they expired. */
  evicted = 0;

  constructor(private readonly waitMs: number) {}

  /** The client's slot, or -1: the one lookup of its key per request. */
  slot(clientKey: string): number {
    return this.slotOf.get(clientKey);
  }

  /** The lane deciding the client's exchange in `slot`, if any. */
  laneAt(slot: number): L | undefined {
    return slot < 0 ? undefined : this.lanes[slot];
  }

  /** Lanes held (exchanges deciding). */
  get laneCount(): number {
    return this.lanesHeld;
  }

  /** Every lane, in no particular order. */
  *allLanes(): IterableIterator<L> {
    for (const lane of this.lanes) if (lane !== undefined) yield lane;
  }

  /** Gives the client (its slot when it has one, else a new slot) `lane`; returns the slot. */
  setLane(clientKey: string, slot: number, lane: L): number {
    const at = slot >= 0 ? slot : this.add(clientKey);
    if (this.lanes[at] === undefined) this.lanesHeld++;
    this.lanes[at] = lane;
    return at;
  }

  /** The lane in `slot` is gone; the slot goes too unless its client's exchange waits. */
  endLane(slot: number): void {
    if (this.lanes[slot] === undefined) return;
    this.lanes[slot] = undefined;
    this.lanesHeld--;
    this.releaseIfIdle(slot);
  }

  /** Whether the exchange in `slot` waits for its client (expired or not: that takes the time, takeAt). */
  isWaitingAt(slot: number): boolean {
    return slot >= 0 && this.waitingAt[slot] !== 0;
  }

  /** Waiting exchanges, the expired ones not yet swept included: never fewer than size(now). */
  get held(): number {
    return this.waitingHeld;
  }

  /** Whether the exchange in `slot` was waiting and still is at `now`; it no longer waits either way (the slot stays). */
  takeAt(slot: number, now: number): boolean {
    if (slot < 0 || this.waitingAt[slot] === 0) return false;
    this.stopWaiting(slot);
    return now < this.until[slot]!;
  }

  /** Lets a slot found for a request that was then dropped go (unless it holds something). */
  releaseIfIdle(slot: number): void {
    if (slot < 0 || this.lanes[slot] !== undefined || this.waitingAt[slot] !== 0) return;
    const key = this.keys[slot]!;
    this.slotOf.delete(key);
    this.keys[slot] = undefined;
    this.free.push(slot);
  }

  /** The client's exchange in `slot` now waits for its next message, for `waitMs` from `now`. */
  parkAt(slot: number, now: number): void {
    const until = now + this.waitMs;
    if (this.waitingAt[slot] === 0) this.waitingHeld++;
    this.waitingAt[slot] = 1;
    this.until[slot] = until;
    const generation = (this.generation[slot]! + 1) >>> 0;
    this.generation[slot] = generation;
    this.pushOrder(slot, generation, until);
    this.sweep(now);
  }

  /** The client's exchange now waits for its next message, for `waitMs` from `now`. */
  park(clientKey: string, now: number): void {
    const slot = this.slot(clientKey);
    this.parkAt(slot >= 0 ? slot : this.add(clientKey), now);
  }

  /** Whether the client's exchange was waiting (and still is at `now`); it no longer is either way. */
  take(clientKey: string, now: number): boolean {
    const slot = this.slot(clientKey);
    const waited = this.takeAt(slot, now);
    this.releaseIfIdle(slot);
    return waited;
  }

  /** Makes room for a new client: the exchange waiting longest goes. False when none waits. */
  evictOldest(now: number): boolean {
    this.sweep(now);
    for (; this.orderLength > 0; this.popOrder()) {
      const slot = this.orderSlot[this.orderHead]!;
      if (!this.isLive(this.orderHead)) continue;
      this.popOrder();
      this.stopWaiting(slot);
      this.releaseIfIdle(slot);
      this.evicted++;
      return true;
    }
    return false;
  }

  /** Exchanges still waiting at `now` (the expired ones are dropped first). */
  size(now: number): number {
    this.sweep(now);
    return this.waitingHeld;
  }

  clear(): void {
    this.slotOf.clear();
    this.keys = [];
    this.lanes = [];
    this.free.length = 0;
    this.waitingAt.fill(0);
    this.lanesHeld = 0;
    this.waitingHeld = 0;
    this.orderHead = 0;
    this.orderLength = 0;
  }

  private add(clientKey: string): number {
    const slot = this.free.length > 0 ? (this.free.pop() as number) : this.keys.length;
    if (slot >= this.waitingAt.length) this.growSlots();
    this.keys[slot] = clientKey;
    this.lanes[slot] = undefined;
    this.slotOf.set(clientKey, slot);
    return slot;
  }

  private stopWaiting(slot: number): void {
    this.waitingAt[slot] = 0;
    this.waitingHeld--;
    this.generation[slot] = (this.generation[slot]! + 1) >>> 0;
  }

  private sweep(now: number): void {
    while (this.orderLength > 0) {
      const at = this.orderHead;
      if (this.isLive(at)) {
        if (this.orderUntil[at]! > now) break;
        const slot = this.orderSlot[at]!;
        this.stopWaiting(slot);
        this.releaseIfIdle(slot);
      }
      this.popOrder();
    }
    // Records of taken and re-parked exchanges wait in the middle until the front reaches them: at most about
    // twice the live ones are kept.
    if (this.orderLength > 2 * this.waitingHeld + 1024) this.compactOrder();
  }

  private isLive(at: number): boolean {
    const slot = this.orderSlot[at]!;
    return this.waitingAt[slot] === 1 && this.generation[slot] === this.orderGeneration[at];
  }

  private pushOrder(slot: number, generation: number, until: number): void {
    if (this.orderLength === this.orderSlot.length) this.resizeOrder(this.orderSlot.length * 2, () => true);
    const at = (this.orderHead + this.orderLength) % this.orderSlot.length;
    this.orderSlot[at] = slot;
    this.orderGeneration[at] = generation;
    this.orderUntil[at] = until;
    this.orderLength++;
  }

  private popOrder(): void {
    this.orderHead = (this.orderHead + 1) % this.orderSlot.length;
    this.orderLength--;
  }

  private compactOrder(): void {
    this.resizeOrder(Math.max(INITIAL_SLOTS, this.orderSlot.length), (at) => this.isLive(at));
  }

  /** Copies the records `keep` keeps, oldest first, into rings of `capacity`. */
  private resizeOrder(capacity: number, keep: (at: number) => boolean): void {
    const slots = new Int32Array(capacity);
    const generations = new Uint32Array(capacity);
    const untils = new Float64Array(capacity);
    let n = 0;
    for (let i = 0; i < this.orderLength; i++) {
      const at = (this.orderHead + i) % this.orderSlot.length;
      if (!keep(at)) continue;
      slots[n] = this.orderSlot[at]!;
      generations[n] = this.orderGeneration[at]!;
      untils[n] = this.orderUntil[at]!;
      n++;
    }
    this.orderSlot = slots;
    this.orderGeneration = generations;
    this.orderUntil = untils;
    this.orderHead = 0;
    this.orderLength = n;
  }

  private growSlots(): void {
    const capacity = this.waitingAt.length * 2;
    const waitingAt = new Uint8Array(capacity);
    const until = new Float64Array(capacity);
    const generation = new Uint32Array(capacity);
    waitingAt.set(this.waitingAt);
    until.set(this.until);
    generation.set(this.generation);
    this.waitingAt = waitingAt;
    this.until = until;
    this.generation = generation;
  }
}
