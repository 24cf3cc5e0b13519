// Allocator properties: it never leaves its pools nor hands out an address isFree rejects, and it gives each of
// N free addresses exactly once before it reports exhaustion.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseAddress, inPools, poolSize, type Candidates, type Cursor } from '../src/allocator/allocator.js';
import type { AddressRange } from '../src/config/types.js';

const numRuns = Number(process.env.PROPERTY_RUNS ?? 200);

/** 198.18.0.0/15 as integers: room for several disjoint pools. */
const BASE = 0xc6120000;

/** Up to four disjoint, ordered pools of up to 64 addresses, with gaps between them. */
const poolsArb: fc.Arbitrary<AddressRange[]> = fc
  .array(fc.record({ gap: fc.nat(40), size: fc.integer({ min: 1, max: 64 }) }), { minLength: 1, maxLength: 4 })
  .map((specs) => {
    let next = BASE;
    return specs.map(({ gap, size }) => {
      const start = next + gap;
      next = start + size;
      return { start, end: start + size - 1 };
    });
  });

/** An address near the pools: inside, in a gap, or just outside either end. */
const nearArb = (pools: AddressRange[]) =>
  fc.integer({ min: pools[0]!.start - 5, max: pools.at(-1)!.end + 5 });

const scenarioArb = poolsArb.chain((pools) =>
  fc.record({
    pools: fc.constant(pools),
    taken: fc.uniqueArray(nearArb(pools), { maxLength: 80 }),
    requested: fc.option(nearArb(pools), { nil: undefined }),
    previous: fc.option(nearArb(pools), { nil: undefined }),
    cursor: fc.integer({ min: -300, max: 300 }),
  }),
);

describe('allocator properties', () => {
  it('never returns an address outside its pools or one isFree rejects (no existing or reserved candidate)', () => {
    fc.assert(fc.property(scenarioArb, ({ pools, taken, requested, previous, cursor }) => {
      const takenSet = new Set(taken);
      const isFree = (ip: number) => !takenSet.has(ip);
      const candidates: Candidates = { requested, previous };
      const choice = chooseAddress(pools, candidates, isFree, { next: cursor });
      const freeInPools = countFree(pools, isFree);
      if (choice.kind === 'exhausted') {
        expect(freeInPools).toBe(0);
        return;
      }
      expect(inPools(pools, choice.ip)).toBe(true);
      expect(isFree(choice.ip)).toBe(true);
    }), { numRuns });
  });

  it('with N free addresses: N distinct allocations, then exhausted', () => {
    fc.assert(fc.property(scenarioArb, ({ pools, taken, requested, previous, cursor }) => {
      const takenSet = new Set(taken);
      const isFree = (ip: number) => !takenSet.has(ip);
      const n = countFree(pools, isFree);
      const c: Cursor = { next: cursor };
      const given = new Set<number>();
      for (let i = 0; i < n; i++) {
        // The client hints stay the same each time: once taken they must be passed over, not repeated.
        const choice = chooseAddress(pools, { requested, previous }, isFree, c);
        expect(choice.kind).toBe('chosen');
        if (choice.kind !== 'chosen') return;
        expect(given.has(choice.ip)).toBe(false);
        given.add(choice.ip);
        takenSet.add(choice.ip);
      }
      expect(chooseAddress(pools, { requested, previous }, isFree, c)).toEqual({ kind: 'exhausted' });
    }), { numRuns });
  });
});

function countFree(pools: readonly AddressRange[], isFree: (ip: number) => boolean): number {
  let free = 0;
  for (const pool of pools) for (let ip = pool.start; ip <= pool.end; ip++) if (isFree(ip)) free++;
  expect(free).toBeLessThanOrEqual(poolSize(pools));
  return free;
}
