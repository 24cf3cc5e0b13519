// Properties of the overlap checks against a brute-force model: random pools and subnets in 198.18.0.0/15.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from './helpers.js';

const BENCH = 0xc6120000; // 198.18.0.0
const ip = (n: number): string => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

function disjoint(ranges: ReadonlyArray<readonly [number, number]>): boolean {
  return ranges.every(([s1, e1], i) => ranges.every(([s2, e2], j) => i === j || e1 < s2 || e2 < s1));
}

describe('overlap checks agree with a pairwise model', () => {
  it('pools in one /24: valid iff ordered and pairwise disjoint', () => {
    const range = fc.tuple(fc.integer({ min: 1, max: 254 }), fc.integer({ min: 1, max: 254 }));
    fc.assert(
      fc.property(fc.array(range, { minLength: 1, maxLength: 6 }), (ranges) => {
        const pools = ranges.map(([s, e]) => `${ip(BENCH + s)}-${ip(BENCH + e)}`);
        const result = compile({ subnets: [{ subnet: '198.18.0.0/24', pools }] });
        const expected = ranges.every(([s, e]) => s <= e) && disjoint(ranges);
        expect(result.ok).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('subnets in 198.18.0.0/15: valid iff pairwise disjoint', () => {
    const cidr = fc
      .tuple(fc.integer({ min: 0, max: 0x1ffff }), fc.integer({ min: 16, max: 30 }))
      .map(([offset, len]) => {
        const size = 2 ** (32 - len);
        const network = BENCH + Math.floor(offset / size) * size;
        return { network, broadcast: network + size - 1, text: `${ip(network)}/${len}` };
      });
    fc.assert(
      fc.property(fc.array(cidr, { minLength: 1, maxLength: 6 }), (cidrs) => {
        const result = compile({ subnets: cidrs.map((c) => ({ subnet: c.text })) });
        expect(result.ok).toBe(disjoint(cidrs.map((c) => [c.network, c.broadcast] as const)));
      }),
      { numRuns: 500 },
    );
  });
});
