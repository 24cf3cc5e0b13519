// A Map from keys (strings or numbers) to slot numbers, in typed arrays and one array of keys (open addressing,
// linear probing, backward-shift deletion). Why not a Map: a Map whose keys come and go reallocates its table every
// few hundred operations, and while the Map lives long its tables are promoted one after the other (~80 bytes per
// key added, measured: src/collections/slot-map.ts says what else they drag along). Here the arrays are made anew
// only when the table doubles, when the keys held reach half of it: never while the number of keys stays put.

/** FNV-1a over a string's UTF-16 code units, or a 32-bit mix of a number (keys that differ in high bits spread). */
function hashOf(key: string | number): number {
  if (typeof key === 'number') return Math.imul(key ^ (key >>> 16), 0x45d9f3b) ^ (key / 0x1_0000_0000);
  let hash = 0x811c9dc5 | 0;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash;
}

const INITIAL_SIZE = 64;

export class KeySlotIndex<K extends string | number> {
  private keys: (K | undefined)[] = new Array<K | undefined>(INITIAL_SIZE).fill(undefined);
  private hashes = new Int32Array(INITIAL_SIZE);
  /** slot + 1; 0 = empty. */
  private slots = new Int32Array(INITIAL_SIZE);
  private mask = INITIAL_SIZE - 1;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The key's slot, or -1. */
  get(key: K): number {
    const at = this.find(key, hashOf(key));
    return at < 0 ? -1 : this.slots[at]! - 1;
  }

  /** Maps `key` to `slot` (replacing its slot if it had one). */
  set(key: K, slot: number): void {
    const hash = hashOf(key);
    const found = this.find(key, hash);
    if (found >= 0) {
      this.slots[found] = slot + 1;
      return;
    }
    if ((this.count + 1) * 2 > this.slots.length) this.grow();
    this.put(key, hash, slot);
    this.count++;
  }

  /** Takes the key out; returns its slot, or -1 if it had none. */
  delete(key: K): number {
    let hole = this.find(key, hashOf(key));
    if (hole < 0) return -1;
    const slot = this.slots[hole]! - 1;
    this.count--;
    // The keys after the hole that probed past it move back into it, so that no probe stops short.
    for (let at = (hole + 1) & this.mask; this.slots[at] !== 0; at = (at + 1) & this.mask) {
      const home = this.hashes[at]! & this.mask;
      const reachable = hole <= at ? home > hole && home <= at : home > hole || home <= at;
      if (reachable) continue;
      this.keys[hole] = this.keys[at];
      this.hashes[hole] = this.hashes[at]!;
      this.slots[hole] = this.slots[at]!;
      hole = at;
    }
    this.keys[hole] = undefined;
    this.slots[hole] = 0;
    return slot;
  }

  /** The slots held, in no particular order. */
  *values(): IterableIterator<number> {
    for (let at = 0; at < this.slots.length; at++) if (this.slots[at] !== 0) yield this.slots[at]! - 1;
  }

  clear(): void {
    this.keys.fill(undefined);
    this.slots.fill(0);
    this.count = 0;
  }

  private find(key: K, hash: number): number {
    for (let at = hash & this.mask; this.slots[at] !== 0; at = (at + 1) & this.mask) {
      if (this.hashes[at] === hash && this.keys[at] === key) return at;
    }
    return -1;
  }

  private put(key: K, hash: number, slot: number): void {
    let at = hash & this.mask;
    while (this.slots[at] !== 0) at = (at + 1) & this.mask;
    this.keys[at] = key;
    this.hashes[at] = hash;
    this.slots[at] = slot + 1;
  }

  private grow(): void {
    const { keys, hashes, slots } = this;
    const size = slots.length * 2;
    this.keys = new Array<K | undefined>(size).fill(undefined);
    this.hashes = new Int32Array(size);
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    for (let at = 0; at < slots.length; at++) if (slots[at] !== 0) this.put(keys[at]!, hashes[at]!, slots[at]! - 1);
  }
}
