// listen.overload: the socket's overload control thresholds (src/net/overflow-shedding.ts), with their defaults and
// their range errors at the field's JSON path.
import { describe, expect, it } from 'vitest';
import { baseConfig, compiled, expectIssue } from './helpers.js';

describe('listen.overload', () => {
  it('defaults to the thresholds docs/transport.md describes', () => {
    expect(compiled(baseConfig()).listen.overload).toEqual({ discoverWaitMs: 100, overflowWindowMs: 200 });
  });

  it('takes both thresholds', () => {
    const config = compiled({ ...baseConfig(), listen: { overload: { discoverWaitMs: 10, overflowWindowMs: 500 } } });
    expect(config.listen.overload).toEqual({ discoverWaitMs: 10, overflowWindowMs: 500 });
    expect(config.listen.receiveBufferKiB).toBe(4096);
  });

  it('refuses out-of-range and non-integer values and unknown keys at their path', () => {
    expectIssue({ ...baseConfig(), listen: { overload: { discoverWaitMs: 0 } } }, '$.listen.overload.discoverWaitMs', />=\s*1|too small/i);
    expectIssue({ ...baseConfig(), listen: { overload: { overflowWindowMs: 1.5 } } }, '$.listen.overload.overflowWindowMs', /integer|int/i);
    expectIssue({ ...baseConfig(), listen: { overload: { targetMs: 5 } } }, '$.listen.overload.targetMs', 'unknown key');
  });
});
