// listen.discoverQueueKiB: the native transport's DISCOVER lane (src/net/discover-lane.ts), its default and its range
// errors at the field's JSON path.
import { describe, expect, it } from 'vitest';
import { baseConfig, compiled, expectIssue } from './helpers.js';

describe('listen.discoverQueueKiB', () => {
  it('defaults to a lane as large as the main queue (4 MiB), and 0 turns it off', () => {
    expect(compiled(baseConfig()).listen.discoverQueueKiB).toBe(4096);
    expect(compiled({ ...baseConfig(), listen: { discoverQueueKiB: 0 } }).listen.discoverQueueKiB).toBe(0);
    expect(compiled({ ...baseConfig(), listen: { discoverQueueKiB: 16 } }).listen.discoverQueueKiB).toBe(16);
  });

  it('refuses a lane too small to hold a burst, a fraction and a huge one, at its path', () => {
    expectIssue({ ...baseConfig(), listen: { discoverQueueKiB: 8 } }, '$.listen.discoverQueueKiB', /either 0 \(no DISCOVER lane\) or at least 16 KiB/);
    expectIssue({ ...baseConfig(), listen: { discoverQueueKiB: 32.5 } }, '$.listen.discoverQueueKiB', /integer|int/i);
    expectIssue({ ...baseConfig(), listen: { discoverQueueKiB: 1_000_000 } }, '$.listen.discoverQueueKiB', /<=\s*262144|too big/i);
  });
});
