// The key → slot index behaves as a Map (a model) for any sequence of sets and deletes of string and number keys,
// while it grows and while deletions shift the keys after them back (few distinct keys, so runs collide).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeySlotIndex } from '../../../src/collections/key-slot-index.js';

type Key = string | number;
type Op = { readonly kind: 'set'; readonly key: Key; readonly slot: number } | { readonly kind: 'delete'; readonly key: Key };

const key: fc.Arbitrary<Key> = fc.oneof(
  fc.integer({ min: 0, max: 60 }).map((n) => `hw:1:${n}`),
  fc.integer({ min: -5, max: 60 }),
  fc.constantFrom(2 ** 32 + 1, -(2 ** 31), 0.5, ''),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key, slot: fc.nat(1_000) }),
  fc.record({ kind: fc.constant('delete' as const), key }),
);

describe('KeySlotIndex', () => {
  it('agrees with a Map under any sets and deletes', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
      const index = new KeySlotIndex<Key>();
      const model = new Map<Key, number>();
      for (const o of ops) {
        if (o.kind === 'set') {
          index.set(o.key, o.slot);
          model.set(o.key, o.slot);
        } else {
          expect(index.delete(o.key)).toBe(model.get(o.key) ?? -1);
          model.delete(o.key);
        }
        expect(index.size).toBe(model.size);
      }
      for (const k of new Set<Key>([...ops.map((o) => o.key), 'absent', 61])) expect(index.get(k)).toBe(model.get(k) ?? -1);
      expect([...index.values()].sort((a, b) => a - b)).toEqual([...model.values()].sort((a, b) => a - b));
    }), { numRuns: 300 });
  });

  it('holds thousands of keys through growth, and forgets them all on clear()', () => {
    const index = new KeySlotIndex<string>();
    for (let i = 0; i < 5_000; i++) index.set(`c${i}`, i);
    for (let i = 0; i < 5_000; i += 2) index.delete(`c${i}`);
    expect(index.size).toBe(2_500);
    expect([index.get('c4999'), index.get('c4998'), index.get('c1')]).toEqual([4_999, -1, 1]);
    index.clear();
    expect([index.size, index.get('c1')]).toEqual([0, -1]);
  });
});
