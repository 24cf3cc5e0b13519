// The hash → slot index behaves as a Map (a model) for any sequence of sets and deletes, with hashes crowded onto a
// few home positions so that probe runs wrap around the table and deletions shift their neighbours back.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HashSlotIndex } from '../../../src/collections/hash-slot-index.js';

type Op = { readonly kind: 'set'; readonly hash: number; readonly slot: number } | { readonly kind: 'delete'; readonly hash: number };

/** Hashes that share their low bits (the home position in a 64-entry table) far more often than chance would. */
const crowdedHash = fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 3 }), fc.boolean())
  .map(([low, high, wrap]) => ((high << 6) | (wrap ? 60 + (low % 4) : low)) | 0);

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), hash: crowdedHash, slot: fc.nat(1_000) }),
  fc.record({ kind: fc.constant('delete' as const), hash: crowdedHash }),
);

describe('HashSlotIndex', () => {
  it('agrees with a Map under any sets and deletes, across wrapped probe runs', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const index = new HashSlotIndex(32); // 64 entries: the crowded hashes fill runs that wrap past the end
      const model = new Map<number, number>();
      for (const o of ops) {
        if (o.kind === 'set') {
          if (!model.has(o.hash) && model.size >= 32) continue;
          index.set(o.hash, o.slot);
          model.set(o.hash, o.slot);
        } else {
          index.delete(o.hash);
          model.delete(o.hash);
        }
        expect(index.size).toBe(model.size);
      }
      for (let hash = 0; hash < 256; hash++) expect(index.get(hash)).toBe(model.get(hash) ?? -1);
    }), { numRuns: 300 });
  });

  it('takes negative hashes, and refuses a key beyond its size rather than probing forever', () => {
    const index = new HashSlotIndex(2);
    index.set(-1, 5);
    index.set(-(2 ** 31), 6);
    expect([index.get(-1), index.get(-(2 ** 31)), index.get(7)]).toEqual([5, 6, -1]);
    expect(() => index.set(3, 1)).toThrow(RangeError);
    index.set(-1, 9); // replacing is not adding
    expect(index.get(-1)).toBe(9);
    index.clear();
    expect([index.size, index.get(-1)]).toEqual([0, -1]);
  });
});
