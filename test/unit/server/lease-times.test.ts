// The lease times a reply carries are its own subnet's, asked in any order (the last answer is kept per subnet
// identity: a wrong reuse would give one subnet's clients the other's lease time).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leaseTimesSec } from '../../../src/server/lease-policy.js';
import { LAB_CONFIG, compile } from '../../helpers/test-server.js';

describe('leaseTimesSec', () => {
  it('gives each subnet its own times, whatever was asked before', () => {
    const subnets = compile(LAB_CONFIG).subnets;
    expect(new Set(subnets.map((s) => s.leaseTime)).size).toBeGreaterThan(1);
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: subnets.length - 1 }), { maxLength: 50 }), (order) => {
      for (const i of order) {
        const s = subnets[i]!;
        expect(leaseTimesSec(s)).toEqual({ lease: s.leaseTime, renewal: s.renewalTime, rebinding: s.rebindingTime });
      }
    }));
  });
});
