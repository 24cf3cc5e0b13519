// One bit per pool address (set = taken), counted across the pools in order like `addressAt`, with a count of free
// bits and a summary bit per full 32-bit word: finding the next free address skips 1,024 taken addresses per
// summary bit, and an exhausted pool answers "none" without looking at a single word.
import type { AddressRange } from '../config/types.js';

export class PoolBitmap {
  readonly size: number;
  private readonly words: Uint32Array;
  /** Bit w set = word w is full (all 32 addresses taken). */
  private readonly fullWords: Uint32Array;
  private free: number;

  constructor(readonly pools: readonly AddressRange[]) {
    let size = 0;
    for (const pool of pools) size += pool.end - pool.start + 1;
    this.size = size;
    this.words = new Uint32Array(Math.ceil(size / 32));
    this.fullWords = new Uint32Array(Math.ceil(this.words.length / 32));
    this.free = size;
    // The tail of the last word lies past the pools: taken for good, so a search never returns it.
    for (let offset = size; offset < this.words.length * 32; offset++) this.setBit(offset);
  }

  /** Addresses not marked taken. */
  get freeCount(): number {
    return this.free;
  }

  /** The address's position across the pools, or -1 when no pool holds it. */
  offsetOf(ip: number): number {
    let base = 0;
    for (const pool of this.pools) {
      if (ip >= pool.start && ip <= pool.end) return base + (ip - pool.start);
      base += pool.end - pool.start + 1;
    }
    return -1;
  }

  addressAt(offset: number): number {
    let rest = offset;
    for (const pool of this.pools) {
      const size = pool.end - pool.start + 1;
      if (rest < size) return pool.start + rest;
      rest -= size;
    }
    throw new RangeError(`offset ${offset} outside the pools`);
  }

  isTaken(offset: number): boolean {
    return (this.words[offset >>> 5]! & (1 << (offset & 31))) !== 0;
  }

  mark(offset: number, taken: boolean): void {
    if (this.isTaken(offset) === taken) return;
    if (taken) {
      this.setBit(offset);
      this.free--;
    } else {
      const w = offset >>> 5;
      this.words[w]! &= ~(1 << (offset & 31));
      this.fullWords[w >>> 5]! &= ~(1 << (w & 31));
      this.free++;
    }
  }

  /** The first free position at or after `from`, wrapping around once; -1 when every address is taken. */
  nextFree(from: number): number {
    if (this.free === 0 || this.size === 0) return -1;
    const start = from >= 0 && from < this.size ? from : 0;
    const found = this.scan(start, this.words.length);
    if (found >= 0) return found;
    return this.scan(0, (start >>> 5) + 1);
  }

  /** First clear bit at or after `from` in words below `endWord`. */
  private scan(from: number, endWord: number): number {
    let w = from >>> 5;
    // The first word: only bits at or after `from`.
    const first = ~this.words[w]! & (~0 << (from & 31));
    if (first !== 0) return (w << 5) + lowestBit(first);
    w++;
    while (w < endWord) {
      const summary = w >>> 5;
      const notFull = ~this.fullWords[summary]! & (~0 << (w & 31));
      if (notFull === 0) {
        w = (summary + 1) << 5;
        continue;
      }
      w = (summary << 5) + lowestBit(notFull);
      if (w >= endWord) break;
      return (w << 5) + lowestBit(~this.words[w]!);
    }
    return -1;
  }

  private setBit(offset: number): void {
    const w = offset >>> 5;
    this.words[w]! |= 1 << (offset & 31);
    if (this.words[w] === 0xffffffff) this.fullWords[w >>> 5]! |= 1 << (w & 31);
  }
}

/** Index of the lowest set bit of a non-zero 32-bit value. */
function lowestBit(x: number): number {
  return 31 - Math.clz32(x & -x);
}
