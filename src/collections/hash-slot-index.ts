// A fixed-size map from 32-bit hashes to slot numbers, in two typed arrays (open addressing, linear probing): no
// Map whose tables V8 reallocates as keys come and go, nothing for the GC to trace or promote. For a cache indexed
// by a hash of its key, where two keys of one hash count as one (the caller checks what the slot holds).

export class HashSlotIndex {
  private readonly hashes: Int32Array;
  /** slot + 1; 0 = empty. */
  private readonly slots: Int32Array;
  private readonly mask: number;
  private count = 0;

  /** Room for `maxKeys` keys, at most half full (probes stay short). */
  constructor(maxKeys: number) {
    const size = 2 ** Math.ceil(Math.log2(Math.max(2, maxKeys) * 2));
    this.hashes = new Int32Array(size);
    this.slots = new Int32Array(size);
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  /** The slot of `hash`, or -1. */
  get(hash: number): number {
    const at = this.find(hash);
    return at < 0 ? -1 : this.slots[at]! - 1;
  }

  /** Maps `hash` to `slot` (replacing its slot if it had one). Throws when holding maxKeys already: a caller's bug. */
  set(hash: number, slot: number): void {
    let at = hash & this.mask;
    while (this.slots[at] !== 0) {
      if (this.hashes[at] === hash) {
        this.slots[at] = slot + 1;
        return;
      }
      at = (at + 1) & this.mask;
    }
    if (this.count * 2 >= this.slots.length) throw new RangeError('HashSlotIndex is full');
    this.hashes[at] = hash;
    this.slots[at] = slot + 1;
    this.count++;
  }

  delete(hash: number): void {
    let hole = this.find(hash);
    if (hole < 0) return;
    this.count--;
    // Backward-shift deletion: the keys after the hole that probed past it move back, so no probe stops short.
    for (let at = (hole + 1) & this.mask; this.slots[at] !== 0; at = (at + 1) & this.mask) {
      const home = this.hashes[at]! & this.mask;
      const reachable = hole <= at ? home > hole && home <= at : home > hole || home <= at;
      if (reachable) continue;
      this.hashes[hole] = this.hashes[at]!;
      this.slots[hole] = this.slots[at]!;
      hole = at;
    }
    this.slots[hole] = 0;
  }

  clear(): void {
    this.slots.fill(0);
    this.count = 0;
  }

  private find(hash: number): number {
    for (let at = hash & this.mask; this.slots[at] !== 0; at = (at + 1) & this.mask) {
      if (this.hashes[at] === hash) return at;
    }
    return -1;
  }
}
