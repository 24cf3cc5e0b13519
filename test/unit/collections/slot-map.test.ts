// SlotMap against a plain Map under the same random operations, and its slots reused and cleared.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlotMap } from '../../../src/collections/slot-map.js';

type Op = { kind: 'set'; key: number; value: number } | { kind: 'delete'; key: number } | { kind: 'clear' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 20 }), value: fc.integer() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 20 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

describe('SlotMap', () => {
  it('answers get, has, size, delete and values as a Map does', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const model = new Map<number, number>();
      const slots = new SlotMap<number, number>();
      for (const o of ops) {
        if (o.kind === 'set') {
          model.set(o.key, o.value);
          slots.set(o.key, o.value);
        } else if (o.kind === 'delete') {
          expect(slots.delete(o.key)).toBe(model.delete(o.key));
        } else {
          model.clear();
          slots.clear();
        }
        expect(slots.size).toBe(model.size);
      }
      for (let key = 0; key <= 20; key++) {
        expect(slots.get(key)).toBe(model.get(key));
        expect(slots.has(key)).toBe(model.has(key));
      }
      expect([...slots.values()].sort()).toEqual([...model.values()].sort());
    }));
  });

  it('reuses freed slots and keeps no deleted value', () => {
    const slots = new SlotMap<string, object>();
    const held = (m: SlotMap<string, object>) => (m as unknown as { slots: (object | undefined)[] }).slots;
    for (let i = 0; i < 100; i++) {
      slots.set(`k${i % 4}`, { i });
      if (i % 4 === 3) for (let k = 0; k < 4; k++) slots.delete(`k${k}`);
    }
    expect(held(slots).length).toBe(4);
    expect(held(slots).every((v) => v === undefined)).toBe(true);
  });
});
