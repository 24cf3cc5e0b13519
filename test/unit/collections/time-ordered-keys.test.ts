// The time order beside a Map: oldest first, stale records (renewed, deleted) skipped, the queue compacted.
import { describe, expect, it } from 'vitest';
import { TimeOrderedKeys } from '../../../src/collections/time-ordered-keys.js';

function setup() {
  const map = new Map<string, number>();
  const order = new TimeOrderedKeys<number>((k) => map.get(k));
  const set = (k: string, v: number) => (map.set(k, v), order.push(k, v));
  /** Drops the live records older than `t` and lists them. */
  const dropBefore = (t: number) => {
    const dropped: string[] = [];
    order.dropOldest((k, v) => v < t && (dropped.push(k), map.delete(k)));
    order.compact(map.size);
    return dropped;
  };
  return { map, set, dropBefore };
}

describe('TimeOrderedKeys', () => {
  it('gives the live records oldest first, skipping renewed and deleted ones, and stops where told', () => {
    const { map, set, dropBefore } = setup();
    set('a', 1);
    set('b', 2);
    set('c', 3);
    set('a', 4); // renewed: now the newest
    map.delete('b');
    expect(dropBefore(4)).toEqual(['c']);
    expect(dropBefore(5)).toEqual(['a']);
    expect(dropBefore(9)).toEqual([]);
  });

  it('stays right across compactions over many records', () => {
    const { map, set, dropBefore } = setup();
    for (let i = 0; i < 20_000; i++) {
      set(`k${i % 500}`, i); // each key renewed 40 times: most records stale
      if (i % 1_000 === 999) expect(dropBefore(i - 600)).toEqual([]); // only stale records to skip
    }
    expect(map.size).toBe(500);
    expect(dropBefore(19_600)).toHaveLength(100); // k0..k99, the last set at 19,500..19,599
    expect(dropBefore(20_000)).toHaveLength(400);
  });
});
