// The pool bitmap answers exactly like a scan of the pools in order (next fit from a position, wrapping), and an
// exhausted pool answers without a search.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PoolBitmap } from '../../../src/allocator/pool-bitmap.js';
import type { AddressRange } from '../../../src/config/types.js';

const BASE = 0xc6120000; // 198.18.0.0

const poolsArb = fc
  .array(fc.record({ gap: fc.nat(40), size: fc.integer({ min: 1, max: 300 }) }), { minLength: 1, maxLength: 4 })
  .map((specs) => {
    let next = BASE;
    return specs.map(({ gap, size }): AddressRange => ({ start: (next += gap), end: (next += size) - 1 }));
  });

function linearNext(size: number, taken: Set<number>, from: number): number {
  for (let i = 0; i < size; i++) {
    const offset = (from + i) % size;
    if (!taken.has(offset)) return offset;
  }
  return -1;
}

describe('PoolBitmap', () => {
  it('finds the same next free position as a linear scan, for any taken set and start', () => {
    fc.assert(fc.property(poolsArb, fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(), fc.nat(), (pools, density, seed, from) => {
      const bitmap = new PoolBitmap(pools);
      const taken = new Set<number>();
      let x = seed;
      for (let offset = 0; offset < bitmap.size; offset++) {
        x = (x * 1103515245 + 12345) >>> 0;
        if (x / 2 ** 32 < density) {
          taken.add(offset);
          bitmap.mark(offset, true);
        }
      }
      // Free a few again, to exercise clearing full words.
      for (const offset of [...taken].filter((_, i) => i % 7 === 0)) {
        taken.delete(offset);
        bitmap.mark(offset, false);
      }
      expect(bitmap.freeCount).toBe(bitmap.size - taken.size);
      const start = from % bitmap.size;
      expect(bitmap.nextFree(start)).toBe(linearNext(bitmap.size, taken, start));
    }));
  });

  it('maps offsets to addresses across the pools and back', () => {
    fc.assert(fc.property(poolsArb, fc.nat(), (pools, n) => {
      const bitmap = new PoolBitmap(pools);
      const offset = n % bitmap.size;
      expect(bitmap.offsetOf(bitmap.addressAt(offset))).toBe(offset);
    }));
    expect(new PoolBitmap([{ start: 10, end: 19 }]).offsetOf(20)).toBe(-1);
  });

  it('says "none" for a full pool, and finds the one address freed in it', () => {
    const bitmap = new PoolBitmap([{ start: BASE, end: BASE + 65_535 }]);
    for (let offset = 0; offset < bitmap.size; offset++) bitmap.mark(offset, true);
    expect(bitmap.freeCount).toBe(0);
    expect(bitmap.nextFree(123)).toBe(-1);
    bitmap.mark(40_000, false);
    expect(bitmap.nextFree(50_000)).toBe(40_000);
    expect(bitmap.nextFree(0)).toBe(40_000);
  });
});
