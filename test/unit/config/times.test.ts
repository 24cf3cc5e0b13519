// Lease time, T1, T2 (RFC 2131 §4.4.5): defaults, inheritance, and T1 < T2 < lease at the right path.
import { describe, expect, it } from 'vitest';
import { baseConfig, compiled, expectIssue, issuesOf, subnet } from './helpers.js';

function times(config: ReturnType<typeof baseConfig>, i = 0): [number, number, number] {
  const s = compiled(config).subnets[i];
  if (s === undefined) throw new Error('missing subnet');
  return [s.leaseTime, s.renewalTime, s.rebindingTime];
}

describe('lease times', () => {
  it('default to 3600 s with T1 = 0.5x and T2 = 0.875x', () => {
    expect(times(baseConfig())).toEqual([3600, 1800, 3150]);
  });

  it('derive T1/T2 from a subnet lease time even when defaults set T1/T2', () => {
    const config = { ...baseConfig(), defaults: { leaseTime: 86400, renewalTime: 43200, rebindingTime: 75600 } };
    subnet(config, 0).leaseTime = 120;
    expect(times(config, 0)).toEqual([120, 60, 105]);
    expect(times(config, 1)).toEqual([86400, 43200, 75600]);
  });

  it('take explicit subnet values over everything', () => {
    const config = baseConfig();
    Object.assign(subnet(config, 0), { leaseTime: 600, renewalTime: 100, rebindingTime: 500 });
    expect(times(config)).toEqual([600, 100, 500]);
  });

  it('reject T1 >= T2 at renewalTime', () => {
    const config = baseConfig();
    Object.assign(subnet(config, 0), { renewalTime: 3000, rebindingTime: 2000 });
    const message = 'renewalTime (T1 = 3000 s) must be less than rebindingTime (T2 = 2000 s)';
    expectIssue(config, '$.subnets[0].renewalTime', message);
  });

  it('reject T2 >= lease time at rebindingTime', () => {
    const config = baseConfig();
    subnet(config, 1).rebindingTime = 3600;
    const message = 'rebindingTime (T2 = 3600 s) must be less than leaseTime (3600 s)';
    expectIssue(config, '$.subnets[1].rebindingTime', message);
  });

  it('reject an explicit T1 above the derived T2 at renewalTime', () => {
    const config = baseConfig();
    subnet(config, 0).renewalTime = 3200;
    expectIssue(config, '$.subnets[0].renewalTime', 'must be less than rebindingTime (T2 = 3150 s)');
  });

  it('report a faulty default once, at its path under defaults', () => {
    const config = { ...baseConfig(), defaults: { leaseTime: 100, rebindingTime: 100 } };
    expectIssue(config, '$.defaults.rebindingTime', 'must be less than leaseTime (100 s)');
    // Both subnets inherit the fault; the operator sees it once.
    expect(issuesOf(config)).toHaveLength(1);
  });

  it('reject a lease time too short to derive T1 < T2 at leaseTime', () => {
    const config = baseConfig();
    subnet(config, 0).leaseTime = 2;
    expectIssue(config, '$.subnets[0].leaseTime', 'renewalTime (T1 = 1 s) must be less than rebindingTime (T2 = 1 s)');
  });
});
