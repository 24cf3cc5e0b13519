// One daemon per port (issue 11 §5): a second actor-dhcpd started in the same network namespace — another store,
// another config — exits at once with code 1 and an error naming the port and the process serving it, instead of
// answering every broadcast a second time; so does a daemon started where another program holds port 67.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { udhcpc } from './harness/clients.js';
import { CLI, DIRECT_POOL, daemonConfig, ensureBuilt, startDaemon, type DhcpServer } from './harness/daemon.js';
import { cleanupLeftovers, createLab, teardownAll, type Lab } from './harness/netns.js';
import { Proc, removeTempDirs, tempDir } from './harness/proc.js';
import { SERVER_KIND, inRange, integrationSkip } from './harness/suite.js';

const skip = integrationSkip('single-daemon') ?? (SERVER_KIND === 'kea' ? 'actor-dhcpd specific' : undefined);

/** Starts the daemon with a fresh store and config, expecting it to refuse: resolves with its exit code and output. */
async function startRefused(lab: Lab): Promise<{ code: number | null; output: string }> {
  const stateDir = tempDir('state2');
  const file = join(tempDir('cfg2'), 'second.json');
  writeFileSync(file, JSON.stringify(daemonConfig({ stateDir })));
  const proc = new Proc('second', 'ip', ['netns', 'exec', lab.server, process.execPath, CLI, '--config', file]);
  const timer = setTimeout(() => proc.signal('SIGKILL'), 10_000);
  const code = await proc.exited;
  clearTimeout(timer);
  return { code, output: proc.tail(20) };
}

describe.skipIf(skip !== undefined)('one daemon per port', () => {
  let lab: Lab;
  let first: DhcpServer | undefined;
  let firstConfig: string;

  beforeAll(async () => {
    await cleanupLeftovers();
    await ensureBuilt();
    lab = await createLab({ direct: [{}, {}] });
    firstConfig = join(tempDir('cfg'), 'first.json');
    first = await startDaemon(lab, { stateDir: tempDir('state'), configFile: firstConfig });
  }, 120_000);

  afterAll(async () => {
    try {
      await first?.stop();
      await lab?.destroy();
    } finally {
      await teardownAll();
      removeTempDirs();
    }
  }, 60_000);

  it('a second daemon with another store exits 1 at once, naming port 67 and the daemon serving it', async () => {
    const { code, output } = await startRefused(lab);
    expect(code).toBe(1);
    // "At once": refused before serving, not after the supervisor retried the bind (a wall-clock bound here
    // failed on a loaded host while proving less).
    expect(output).not.toContain('supervisor.restarting');
    expect(output).toMatch(/DHCPD_ERR_NET_PORT_IN_USE: UDP port 67 is already served by pid \d+/);
    expect(output).toContain(firstConfig);
    expect(output).toMatch(/"evt":"server.port_in_use"/);
    // The first one never noticed and serves on.
    const lease = await udhcpc(lab.direct[0]!);
    expect(inRange(lease.ip, DIRECT_POOL)).toBe(true);
  }, 30_000);

  it('another program on port 67 (not actor-dhcpd) is named too; once it is gone the daemon starts', async () => {
    await first!.stop();
    first = undefined;
    const squatter = new Proc('squatter', 'ip', ['netns', 'exec', lab.server, process.execPath, '-e', `
      const s = require('node:dgram').createSocket({ type: 'udp4', reuseAddr: true });
      s.bind(67, () => console.log('squatting'));
      setTimeout(() => {}, 60000);`]);
    try {
      await squatter.waitForLine((l) => l.includes('squatting'), 10_000);
      const { code, output } = await startRefused(lab);
      expect(code).toBe(1);
      expect(output).toContain(`pid ${squatter.pid}`);
      expect(output).toContain('squatting');
    } finally {
      await squatter.stop('SIGKILL', 1_000);
    }
    first = await startDaemon(lab, { stateDir: tempDir('state3') });
    const lease = await udhcpc(lab.direct[1]!);
    expect(inRange(lease.ip, DIRECT_POOL)).toBe(true);
  }, 40_000);
});
