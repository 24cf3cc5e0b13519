// An int32 → int32 multimap in two typed arrays (open addressing, linear probing, backward-shift deletion): the lease
// book's indexes at 10^6 leases. A Map of numbers would box every address above 2^30 (most IPv4 addresses) into a
// heap number and cost ~3x the bytes; here an entry is 9 bytes at a load of at most one half.

const MIN_CAPACITY = 16;

export class IntMultimap {
  private keys: Int32Array;
  private values: Int32Array;
  private used: Uint8Array;
  private mask: number;
  private shift: number;
  private count = 0;

  constructor(capacity = MIN_CAPACITY) {
    const size = Math.max(MIN_CAPACITY, 2 ** Math.ceil(Math.log2(capacity * 2)));
    this.keys = new Int32Array(size);
    this.values = new Int32Array(size);
    this.used = new Uint8Array(size);
    this.mask = size - 1;
    this.shift = 32 - Math.log2(size);
  }

  /** Pairs held. */
  get size(): number {
    return this.count;
  }

  /** Adds the pair unless it is already there. */
  add(key: number, value: number): void {
    const k = key | 0;
    const v = value | 0;
    let i = this.home(k);
    while (this.used[i] === 1) {
      if (this.keys[i] === k && this.values[i] === v) return;
      i = (i + 1) & this.mask;
    }
    this.used[i] = 1;
    this.keys[i] = k;
    this.values[i] = v;
    if (++this.count * 2 > this.mask + 1) this.grow();
  }

  /** Removes the pair; false when it was not there. */
  delete(key: number, value: number): boolean {
    const k = key | 0;
    const v = value | 0;
    for (let i = this.home(k); this.used[i] === 1; i = (i + 1) & this.mask) {
      if (this.keys[i] === k && this.values[i] === v) {
        this.removeAt(i);
        return true;
      }
    }
    return false;
  }

  /** The first value of the key, or -1 when it has none (for keys with one value, all of them ≥ 0). */
  first(key: number): number {
    const k = key | 0;
    for (let i = this.home(k); this.used[i] === 1; i = (i + 1) & this.mask) {
      if (this.keys[i] === k) return this.values[i]!;
    }
    return -1;
  }

  /** Every value of the key, in no particular order (a copy). */
  valuesOf(key: number): number[] {
    const k = key | 0;
    const out: number[] = [];
    for (let i = this.home(k); this.used[i] === 1; i = (i + 1) & this.mask) {
      if (this.keys[i] === k) out.push(this.values[i]!);
    }
    return out;
  }

  private home(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> this.shift;
  }

  /** Empties slot i, then moves back each later entry of the probe run that may live there (no tombstones). */
  private removeAt(i: number): void {
    const { keys, values, used, mask } = this;
    let hole = i;
    for (let j = (i + 1) & mask; used[j] === 1; j = (j + 1) & mask) {
      // The entry at j may move to the hole if the hole lies on its probe path (from its home up to j).
      if (((j - this.home(keys[j]!)) & mask) >= ((j - hole) & mask)) {
        keys[hole] = keys[j]!;
        values[hole] = values[j]!;
        hole = j;
      }
    }
    used[hole] = 0;
    this.count--;
  }

  private grow(): void {
    const { keys, values, used } = this;
    const size = (this.mask + 1) * 2;
    this.keys = new Int32Array(size);
    this.values = new Int32Array(size);
    this.used = new Uint8Array(size);
    this.mask = size - 1;
    this.shift--;
    this.count = 0;
    for (let i = 0; i < used.length; i++) if (used[i] === 1) this.add(keys[i]!, values[i]!);
  }
}
