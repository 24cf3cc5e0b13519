// The scale-out alerts of deploy/prometheus/alerts.yml (a stale peer, an unreachable lease database, a lagging
// cache) fire on the series they watch, with their annotations: `promtool test rules` on fixtures/.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

describe('scale-out alerting rules', () => {
  it('pass promtool test rules', async () => {
    const { stdout } = await promisify(execFile)('promtool', ['test', 'rules', 'scale-out-alerts.test.yml'], { cwd: FIXTURES, timeout: 60_000 });
    expect(stdout).toContain('SUCCESS');
  });
});
