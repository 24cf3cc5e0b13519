// The config holder: one swap switches every reader; a failing listener rolls the swap back.
import { describe, expect, it } from 'vitest';
import { ConfigHolder } from '../../../src/reload/holder.js';

describe('config holder', () => {
  it('readers see the new config at once; listeners are told in order with the previous one', () => {
    const holder = new ConfigHolder({ v: 1 });
    const read = holder.read;
    const told: string[] = [];
    holder.subscribe((next, prev) => told.push(`a ${prev.v}->${next.v}`));
    holder.subscribe((next, prev) => told.push(`b ${prev.v}->${next.v}`));
    holder.swap({ v: 2 });
    expect(read().v).toBe(2);
    expect(told).toEqual(['a 1->2', 'b 1->2']);
  });

  it('a listener that throws puts the previous config back and tells everyone, then rethrows', () => {
    const holder = new ConfigHolder({ v: 1 });
    const told: string[] = [];
    holder.subscribe((next, prev) => told.push(`a ${prev.v}->${next.v}`));
    const off = holder.subscribe((next) => {
      if (next.v === 2) throw new Error('cannot apply');
    });
    expect(() => holder.swap({ v: 2 })).toThrow('cannot apply');
    expect(holder.read().v).toBe(1);
    expect(told).toEqual(['a 1->2', 'a 2->1']);
    off();
    holder.swap({ v: 2 });
    expect(holder.read().v).toBe(2);
  });
});
