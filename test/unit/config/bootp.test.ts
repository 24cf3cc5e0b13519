// BOOTP is not served (issue 3's choice): `bootp: false` is accepted, `bootp: true` is a config error at $.bootp.
import { describe, expect, it } from 'vitest';
import { baseConfig, compiled, expectIssue } from './helpers.js';

describe('bootp', () => {
  it('defaults to false and accepts an explicit false', () => {
    expect(compiled(baseConfig()).bootp).toBe(false);
    expect(compiled({ ...baseConfig(), bootp: false }).bootp).toBe(false);
  });

  it('rejects true: BOOTP requests are dropped, so the config must not claim otherwise', () => {
    expectIssue({ ...baseConfig(), bootp: true }, '$.bootp', 'BOOTP is not supported');
  });
});
