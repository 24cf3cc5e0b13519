// A Map of string keys that keeps insertion order (a set of a held key keeps its place, as a Map's does) and can
// hand out its oldest entry in O(1), without a Map's table reallocations as keys come and go (a long-lived Map's
// tables are promoted one after another: src/collections/key-slot-index.ts). The keys' slots are in a KeySlotIndex;
// the order is a ring of (slot, sequence) records: a record is live while its slot still holds the sequence it
// recorded, so a deletion only clears the slot, and stale records are dropped at the front or when the ring is full.

import { KeySlotIndex } from './key-slot-index.js';

const INITIAL_SLOTS = 64;

export class OrderedSlotMap<V> {
  private readonly slotOf = new KeySlotIndex<string>();
  private readonly keys: (string | undefined)[] = [];
  private readonly values: (V | undefined)[] = [];
  /** Each slot's sequence number while it holds an entry; 0 when free. */
  private sequence = new Float64Array(INITIAL_SLOTS);
  private readonly free: number[] = [];
  private lastSequence = 0;
  /** The ring of (slot, sequence) records in insertion order: `length` from `head` on (modulo its power-of-two size). */
  private orderSlot = new Int32Array(INITIAL_SLOTS);
  private orderSequence = new Float64Array(INITIAL_SLOTS);
  private head = 0;
  private length = 0;

  get size(): number {
    return this.slotOf.size;
  }

  get(key: string): V | undefined {
    const slot = this.slotOf.get(key);
    return slot < 0 ? undefined : this.values[slot];
  }

  set(key: string, value: V): void {
    const held = this.slotOf.get(key);
    if (held >= 0) {
      this.values[held] = value;
      return;
    }
    const slot = this.free.length > 0 ? (this.free.pop() as number) : this.keys.length;
    if (slot >= this.sequence.length) this.sequence = grown(this.sequence, slot + 1);
    this.keys[slot] = key;
    this.values[slot] = value;
    this.sequence[slot] = ++this.lastSequence;
    this.slotOf.set(key, slot);
    this.append(slot);
  }

  delete(key: string): boolean {
    const slot = this.slotOf.delete(key);
    if (slot < 0) return false;
    this.keys[slot] = undefined;
    this.values[slot] = undefined;
    this.sequence[slot] = 0;
    this.free.push(slot);
    return true;
  }

  /** The key set longest ago of those held, or undefined when empty. */
  oldestKey(): string | undefined {
    while (this.length > 0) {
      const slot = this.orderSlot[this.head]!;
      if (this.sequence[slot] === this.orderSequence[this.head]) return this.keys[slot];
      this.head = (this.head + 1) & (this.orderSlot.length - 1);
      this.length--;
    }
    return undefined;
  }

  /**
   * The keys held, oldest first, one at a time (no snapshot of them all: a walk may stop after a few): a key set
   * during the walk comes at its end, a key deleted before it is reached is skipped, as with a Map's iterator.
   */
  *keysOldestFirst(): Generator<string> {
    for (let after = 0; ;) {
      const at = this.firstLiveAfter(after);
      if (at < 0) return;
      after = this.orderSequence[at]!;
      yield this.keys[this.orderSlot[at]!]!;
    }
  }

  /**
   * The ring position of the oldest live record set after sequence `after`, or -1. Sequences rise along the ring
   * from its head (compaction keeps their order), so a binary search finds where to start whatever changed since.
   */
  private firstLiveAfter(after: number): number {
    const mask = this.orderSlot.length - 1;
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.orderSequence[(this.head + mid) & mask]! > after) hi = mid;
      else lo = mid + 1;
    }
    for (let i = lo; i < this.length; i++) {
      const at = (this.head + i) & mask;
      if (this.sequence[this.orderSlot[at]!] === this.orderSequence[at]) return at;
    }
    return -1;
  }

  /** Key and value of every entry, oldest first (a snapshot: changes during the walk do not disturb it). */
  entries(): [string, V][] {
    const out: [string, V][] = [];
    this.forEachLive((slot) => out.push([this.keys[slot]!, this.values[slot] as V]));
    return out;
  }

  private forEachLive(fn: (slot: number) => void): void {
    const mask = this.orderSlot.length - 1;
    for (let i = 0; i < this.length; i++) {
      const at = (this.head + i) & mask;
      const slot = this.orderSlot[at]!;
      if (this.sequence[slot] === this.orderSequence[at]) fn(slot);
    }
  }

  private append(slot: number): void {
    if (this.length === this.orderSlot.length) this.compactOrder();
    const at = (this.head + this.length++) & (this.orderSlot.length - 1);
    this.orderSlot[at] = slot;
    this.orderSequence[at] = this.sequence[slot]!;
  }

  /** The ring is full: its live records, in order, to the front of a ring twice the size of what they need. */
  private compactOrder(): void {
    const live: number[] = [];
    this.forEachLive((slot) => live.push(slot));
    let size = this.orderSlot.length;
    while (live.length * 2 > size) size *= 2;
    if (size !== this.orderSlot.length) {
      this.orderSlot = new Int32Array(size);
      this.orderSequence = new Float64Array(size);
    }
    for (let i = 0; i < live.length; i++) {
      this.orderSlot[i] = live[i]!;
      this.orderSequence[i] = this.sequence[live[i]!]!;
    }
    this.head = 0;
    this.length = live.length;
  }
}

function grown(array: Float64Array, least: number): Float64Array<ArrayBuffer> {
  let size = array.length;
  while (size < least) size *= 2;
  const bigger = new Float64Array(size);
  bigger.set(array);
  return bigger;
}
