// The probe cache's trust span is spread per address: a pool probed in one burst must not fall due, and be probed
// again, all at once (every offer of the pool would be shielded by its probe together).
import { describe, expect, it } from 'vitest';
import { trustSpan } from '../../../../src/server/conflict-check/probes.js';

describe('probe cache trust span', () => {
  it('lies between half and all of cacheMs, the same for an address every time', () => {
    for (let i = 1; i < 255; i++) {
      const span = trustSpan(`198.51.100.${i}`, 5_000);
      expect(span).toBeGreaterThanOrEqual(2_500);
      expect(span).toBeLessThanOrEqual(5_000);
      expect(trustSpan(`198.51.100.${i}`, 5_000)).toBe(span);
    }
  });

  it('spreads a pool of 100 addresses over the span: no 10 % slice holds more than a quarter of them', () => {
    const slices = new Array<number>(10).fill(0);
    for (let i = 100; i < 200; i++) {
      const span = trustSpan(`198.51.100.${i}`, 5_000);
      slices[Math.min(9, Math.floor((span - 2_500) / 250))]! += 1;
    }
    expect(Math.max(...slices)).toBeLessThanOrEqual(25);
    expect(slices.filter((n) => n > 0).length).toBeGreaterThanOrEqual(8);
  });

  it('is 0 when the cache is off', () => {
    expect(trustSpan('198.51.100.7', 0)).toBe(0);
  });
});
