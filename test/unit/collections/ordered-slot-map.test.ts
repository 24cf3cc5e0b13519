// The ordered slot map behaves as a Map (a model) for any sequence of sets, deletes and take-the-oldest steps: the
// same entries in the same insertion order (a set of a held key keeps its place), also across its ring's
// compactions and growth; and its oldest-first walk sees what a Map's iterator sees while the map changes under it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderedSlotMap } from '../../../src/collections/ordered-slot-map.js';

type Op = { readonly kind: 'set' | 'delete'; readonly key: string } | { readonly kind: 'oldest' };

const key = fc.integer({ min: 0, max: 40 }).map((n) => `198.51.100.${n}`);
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('set' as const), key }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), key }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('oldest' as const) }), weight: 1 },
);

describe('OrderedSlotMap', () => {
  it('agrees with a Map, in order, under any sets, deletes and removals of the oldest', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 600 }), (ops) => {
      const map = new OrderedSlotMap<number>();
      const model = new Map<string, number>();
      ops.forEach((o, i) => {
        if (o.kind === 'set') {
          map.set(o.key, i);
          model.set(o.key, i);
        } else if (o.kind === 'delete') {
          expect(map.delete(o.key)).toBe(model.delete(o.key));
        } else {
          const oldest = model.keys().next().value;
          expect(map.oldestKey()).toBe(oldest);
          if (oldest !== undefined) {
            map.delete(oldest);
            model.delete(oldest);
          }
        }
        expect(map.size).toBe(model.size);
      });
      expect(map.entries()).toEqual([...model.entries()]);
      for (let n = 0; n <= 40; n++) expect(map.get(`198.51.100.${n}`)).toBe(model.get(`198.51.100.${n}`));
    }), { numRuns: 300 });
  });

  it('walks its keys oldest first as a Map iterates, whatever changes between the steps of the walk', () => {
    // Between two steps: sets (new keys come at the end, set again after a delete they come again), deletes (not
    // reached yet: skipped), removals of the oldest (the ring's head moves) and enough churn to compact the ring.
    const step = fc.oneof(
      { arbitrary: fc.constant<Op | 'next'>('next'), weight: 3 },
      { arbitrary: op, weight: 3 },
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 80 }), fc.array(step, { maxLength: 400 }), (before, steps) => {
      const map = new OrderedSlotMap<number>();
      const model = new Map<string, number>();
      const apply = (o: Op, i: number): void => {
        if (o.kind === 'set') {
          map.set(o.key, i);
          model.set(o.key, i);
        } else if (o.kind === 'delete') {
          map.delete(o.key);
          model.delete(o.key);
        } else {
          const oldest = map.oldestKey();
          if (oldest !== undefined) {
            map.delete(oldest);
            model.delete(oldest);
          }
        }
      };
      before.forEach(apply);
      const walk = map.keysOldestFirst();
      const expected = model.keys();
      steps.forEach((s, i) => {
        if (s === 'next') expect(walk.next().value).toBe(expected.next().value);
        else apply(s, i);
      });
      expect([...walk]).toEqual([...expected]);
    }), { numRuns: 300 });
  });

  it('keeps its order ring bounded while entries churn at a steady size', () => {
    const map = new OrderedSlotMap<number>();
    for (let i = 0; i < 100_000; i++) {
      map.set(`k${i}`, i);
      if (i >= 50) map.delete(`k${i - 50}`);
    }
    expect(map.size).toBe(50);
    expect(map.oldestKey()).toBe('k99950');
    // Compacted, not grown: 50 live records need a ring of 128 at most.
    expect((map as unknown as { orderSlot: Int32Array }).orderSlot.length).toBeLessThanOrEqual(128);
  });
});
