// The int multimap behaves as a Map of Sets (a model) for any sequence of adds and deletes, also while it grows:
// a full table is moved to one twice the size a few entries per add, and lookups see both tables meanwhile.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntMultimap } from '../../../src/collections/int-multimap.js';

type Model = Map<number, Set<number>>;

function agree(map: IntMultimap, model: Model, keys: readonly number[]): void {
  let pairs = 0;
  for (const key of keys) {
    const values = model.get(key) ?? new Set<number>();
    pairs += values.size;
    expect(new Set(map.valuesOf(key))).toEqual(values);
    expect(map.valuesOf(key)).toHaveLength(values.size);
    const first = map.first(key);
    if (values.size === 0) expect(first).toBe(-1);
    else expect(values.has(first)).toBe(true);
  }
  expect(map.size).toBe(pairs);
}

describe('IntMultimap', () => {
  it('matches a Map of Sets for any adds and deletes, across several growths', () => {
    // Few distinct keys (long probe runs, many values per key) and values, among int32 extremes.
    const keyArb = fc.oneof(fc.integer({ min: -3, max: 40 }), fc.constantFrom(0x7fffffff, -0x80000000, 0xc6120001 | 0));
    const op = fc.record({ add: fc.boolean(), key: keyArb, value: fc.integer({ min: 0, max: 6 }) }, { requiredKeys: ['add', 'key', 'value'] });
    // 1 or 2 positions moved per add: a growth stays in progress for many operations (2 fills the new table
    // before the move ends: the next growth finishes it first); 64 as the daemon runs.
    const moveArb = fc.constantFrom(1, 2, 64);
    fc.assert(fc.property(fc.array(op, { minLength: 50, maxLength: 400, size: 'max' }), fc.nat({ max: 40 }), moveArb, (ops, capacity, move) => {
      const map = new IntMultimap(capacity, move);
      const model: Model = new Map();
      const keys = new Set<number>();
      for (const { add, key, value } of ops) {
        keys.add(key);
        if (add) {
          map.add(key, value);
          model.set(key, (model.get(key) ?? new Set()).add(value));
        } else {
          const had = model.get(key)?.delete(value) ?? false;
          expect(map.delete(key, value)).toBe(had);
        }
        expect(map.size).toBe([...model.values()].reduce((sum, values) => sum + values.size, 0));
      }
      agree(map, model, [...keys, 12345]);
      // Its image (a growth in progress finished first), copied as a transfer to another thread would, holds the same.
      const image = map.image();
      const moved = IntMultimap.fromImage({ keys: image.keys.slice(), values: image.values.slice(), used: image.used.slice(), count: image.count }, move);
      agree(moved, model, [...keys, 12345]);
      moved.add(-7, 1);
      model.set(-7, (model.get(-7) ?? new Set()).add(1));
      agree(moved, model, [...keys, -7, 12345]);
    }), { numRuns: 300 });
  });

  it('takes no image that cannot be a table', () => {
    const image = new IntMultimap(100).image();
    expect(() => IntMultimap.fromImage({ ...image, used: image.used.subarray(1) })).toThrow(TypeError);
    expect(() => IntMultimap.fromImage({ ...image, keys: image.keys.subarray(2) })).toThrow(TypeError);
    expect(() => IntMultimap.fromImage({ ...image, count: image.used.length })).toThrow(TypeError);
  });

  it('keeps every pair through growths to over 50,000 pairs, deletes in between', () => {
    const map = new IntMultimap(16, 1);
    const model: Model = new Map();
    for (let i = 0; i < 60_000; i++) {
      const key = Math.imul(i, 2654435761) | 0;
      map.add(key, i);
      model.set(key, new Set([i]));
      if (i % 7 === 3) {
        const gone = Math.imul(i - 3, 2654435761) | 0;
        expect(map.delete(gone, i - 3)).toBe(true);
        model.delete(gone);
      }
    }
    agree(map, model, [...model.keys()]);
  });
});
