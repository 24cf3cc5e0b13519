// The README's test command sets itself up: `npm test` runs scripts/setup.sh, which the lab and CI share, and its
// package list names every program the integration harness runs.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

function listedCommands(): Set<string> {
  const commands = read('scripts/test-packages.txt')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(/\s+/)[0] ?? '');
  return new Set(commands);
}

describe('set-up shared by npm test, the lab and CI', () => {
  it('npm test runs scripts/setup.sh before the tests', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.pretest).toBe('bash scripts/setup.sh');
  });

  it('the lab and CI install through the same script, and CI runs exactly the README command', () => {
    expect(read('scripts/lab.sh')).toContain('scripts/setup.sh');
    expect(read('.ci/run')).toMatch(/^npm ci && npm test$/m);
    expect(read('.ci/run')).not.toContain('apt-get');
    expect(read('README.md')).toContain('npm ci && npm test');
  });

  it('lists every client program the integration harness starts', () => {
    const harness = readdirSync(join(root, 'test/integration/harness'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => read(join('test/integration/harness', f)))
      .join('\n');
    const listed = listedCommands();
    for (const program of ['busybox', 'dhclient', 'dhcpcd', 'dhcrelay', 'tcpdump', 'ip', 'sysctl']) {
      if (harness.includes(`'${program}'`)) expect(listed, program).toContain(program);
    }
    expect(listed).toContain('busybox');
    expect(listed).toContain('dhcrelay');
  });
});
