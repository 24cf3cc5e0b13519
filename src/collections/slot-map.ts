// A Map for short-lived entries whose values hold much (a DORA's transaction, request, decision, a pending reply):
// the values sit in a slot array, the Map holds only each key's slot number. The router's client table
// (router/waiting-clients.ts) is the same idea specialised; the in-process bench keeps its pending replies here.
//
// Why: a Map with entries added and deleted all the time rehashes into a new table every few hundred operations,
// and V8 leaves the old table holding its entries and a pointer to the new one (for iterators that were live). Once
// one such table has been promoted to the old generation, the scavenger takes it for live until the next major GC:
// through the chain of newer tables, every value put in the Map since then survives the scavenges and is promoted
// with all it holds. Measured on a churning Map of transient 4 KB values (1 in 200 live): 80 % of the allocated
// bytes survived the scavenges and a major GC ran every second scavenge; with the values in slots, 1.9 %. Here the
// old tables hold keys (short strings or numbers) and slot numbers only, and a freed slot is cleared at once. The key
// → slot table is now a KeySlotIndex (typed arrays made anew only when it doubles), so there are no old tables at all.
//
// Keys must be primitives: an object key would be held by the tables as a value would.

import { KeySlotIndex } from './key-slot-index.js';

export class SlotMap<K extends string | number, V> {
  private readonly slotOf = new KeySlotIndex<K>();
  private readonly slots: (V | undefined)[] = [];
  /** Freed slot numbers, reused last-freed first (those are the likeliest to be in cache). */
  private readonly free: number[] = [];

  get size(): number {
    return this.slotOf.size;
  }

  get(key: K): V | undefined {
    const slot = this.slotOf.get(key);
    return slot < 0 ? undefined : this.slots[slot];
  }

  has(key: K): boolean {
    return this.slotOf.get(key) >= 0;
  }

  set(key: K, value: V): void {
    const slot = this.slotOf.get(key);
    if (slot >= 0) {
      this.slots[slot] = value;
      return;
    }
    const fresh = this.free.length > 0 ? (this.free.pop() as number) : this.slots.length;
    this.slots[fresh] = value;
    this.slotOf.set(key, fresh);
  }

  delete(key: K): boolean {
    const slot = this.slotOf.delete(key);
    if (slot < 0) return false;
    this.slots[slot] = undefined;
    this.free.push(slot);
    return true;
  }

  /** The values, in no particular order. */
  *values(): IterableIterator<V> {
    for (const slot of this.slotOf.values()) yield this.slots[slot] as V;
  }

  clear(): void {
    this.slotOf.clear();
    this.slots.length = 0;
    this.free.length = 0;
  }
}
