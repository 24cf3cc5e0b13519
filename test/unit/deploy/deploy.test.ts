// deploy/: the systemd unit passes `systemd-analyze verify` without a warning, and the Prometheus alerting rules
// pass `promtool check rules` (both installed by scripts/setup.sh from scripts/test-packages.txt).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../../..');
const UNIT = join(REPO, 'deploy/actor-dhcpd.service');
const dir = mkdtempSync(join(tmpdir(), 'deploy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function verify(text: string): Promise<{ code: number; stderr: string }> {
  const file = join(dir, 'actor-dhcpd.service');
  writeFileSync(file, text);
  try {
    const { stderr } = await run('systemd-analyze', ['verify', file], { timeout: 60_000 });
    return { code: 0, stderr };
  } catch (error) {
    const e = error as { code?: number; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stderr: e.stderr ?? String(error) };
  }
}

/** verify checks that ExecStart exists: point it at this checkout's build instead of the installed path. */
const unitHere = (): string => readFileSync(UNIT, 'utf8').replaceAll('/usr/local/bin/actor-dhcpd', join(REPO, 'dist/src/cli.js'));

describe('deploy/actor-dhcpd.service', () => {
  const unit = readFileSync(UNIT, 'utf8');

  it('passes systemd-analyze verify with no warning', async () => {
    expect(await verify(unitHere())).toEqual({ code: 0, stderr: '' });
  });

  it('would catch a broken unit (the check can fail)', async () => {
    const broken = await verify(unitHere().replace('Restart=on-failure', 'Restart=on-failure\nRestartt=always'));
    expect(broken.stderr).toContain("Unknown key 'Restartt'");
  });

  it('reloads with SIGHUP, restarts on failure, runs hardened with only the network capabilities', () => {
    expect(unit).toMatch(/^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^StateDirectory=actor-dhcpd$/m);
    expect(unit).toMatch(/^RuntimeDirectory=actor-dhcpd$/m);
    expect(unit).toMatch(/^NoNewPrivileges=yes$/m);
    expect(unit).toMatch(/^ProtectSystem=strict$/m);
    expect(unit).toMatch(/^ReadWritePaths=.*\/var\/lib\/actor-dhcpd/m);
    const caps = (line: string) => unit.match(new RegExp(`^${line}=(.*)$`, 'm'))?.[1]?.split(/\s+/).sort();
    expect(caps('CapabilityBoundingSet')).toEqual(['CAP_NET_ADMIN', 'CAP_NET_BIND_SERVICE', 'CAP_NET_RAW']);
    expect(caps('AmbientCapabilities')).toEqual(['CAP_NET_ADMIN', 'CAP_NET_BIND_SERVICE', 'CAP_NET_RAW']);
  });

  it('gives the stop time to write the start-up snapshot of 10^6 leases on a loaded host (up to ~47 s measured)', () => {
    const stop = /^TimeoutStopSec=(\d+)s$/m.exec(unit)?.[1];
    expect(Number(stop)).toBeGreaterThanOrEqual(90);
  });
});

describe('deploy/prometheus/alerts.yml', () => {
  it('passes promtool check rules', async () => {
    const { stdout } = await run('promtool', ['check', 'rules', join(REPO, 'deploy/prometheus/alerts.yml')], { timeout: 60_000 });
    expect(stdout).toContain('SUCCESS');
  });

  it('alerts on a nearly full pool, an unwritable store, restarts and a failed reload', () => {
    const rules = readFileSync(join(REPO, 'deploy/prometheus/alerts.yml'), 'utf8');
    for (const metric of ['actor_dhcpd_pool_used_addresses', 'actor_dhcpd_store_writable', 'actor_dhcpd_supervisor_restarts_total', 'actor_dhcpd_reloads_total']) {
      expect(rules).toContain(metric);
    }
  });
});
