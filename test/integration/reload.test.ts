// Config reload with real clients (issue 11 §1): the operator edits the file and sends SIGHUP; the daemon applies
// it between packets — a subnet added, options changed, a reservation added, a subnet removed (its clients NAKed
// at renewal) — refuses a broken file with its JSON paths while serving on, and survives a storm of SIGHUPs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UdhcpcSession, udhcpc } from './harness/clients.js';
import {
  DIRECT_POOL, RELAY_POOL, daemonConfig, ensureBuilt, startDaemon, type DaemonConfig, type DhcpServer, type LogLine, type ServerSetup,
} from './harness/daemon.js';
import { cleanupLeftovers, createLab, teardownAll, type Lab } from './harness/netns.js';
import { removeTempDirs, sleep, tempDir } from './harness/proc.js';
import { SERVER_KIND, inRange, integrationSkip } from './harness/suite.js';

const skip = integrationSkip('reload') ?? (SERVER_KIND === 'kea' ? 'reload is actor-dhcpd specific' : undefined);
const RESERVED_FOR_C1 = '198.51.100.20';

describe.skipIf(skip !== undefined)('config reload with real clients (SIGHUP)', () => {
  let lab: Lab;
  let server: DhcpServer;
  let setup: ServerSetup;
  const sessions: UdhcpcSession[] = [];
  /** The config as written now; `configure` edits a copy of it. */
  let current: DaemonConfig;

  const write = (edit: (c: DaemonConfig) => void): void => {
    const next = structuredClone(current);
    edit(next);
    writeFileSync(setup.configFile!, JSON.stringify(next, null, 2));
    current = next;
  };
  const count = (evt: string): number => server.logs.filter((l) => l.evt === evt).length;
  /** SIGHUP, then the reload's outcome line (config.reloaded, config.unchanged or config.reload_failed). */
  const hup = async (): Promise<LogLine> => {
    const seen = server.logs.length;
    server.signal!('SIGHUP');
    const outcome = (l: LogLine) => ['config.reloaded', 'config.unchanged', 'config.reload_failed'].includes(l.evt ?? '');
    const deadline = Date.now() + 10_000;
    for (;;) {
      const line = server.logs.slice(seen).find(outcome);
      if (line !== undefined) return line;
      if (Date.now() > deadline) throw new Error(`no reload outcome after SIGHUP:\n${server.output()}`);
      await sleep(50);
    }
  };

  beforeAll(async () => {
    await cleanupLeftovers();
    await ensureBuilt();
    lab = await createLab({ direct: [{}, {}, {}, {}, {}, {}], relayed: [{}] });
    const configFile = join(tempDir('cfg'), 'dhcpd.json');
    // The relay's subnet is not configured at first: adding it is the first reload.
    // Explicit ids: a subnet's default id is its position, which removing the one before it would change.
    setup = { stateDir: tempDir('state'), configFile, configure: (c) => void (c.subnets = [{ id: 1, ...c.subnets[0]! }]) };
    current = daemonConfig(setup);
    server = await startDaemon(lab, setup);
  }, 120_000);

  afterAll(async () => {
    try {
      for (const s of sessions) await s.stop();
      await server?.stop();
      await lab?.destroy();
    } finally {
      await teardownAll();
      removeTempDirs();
    }
  }, 60_000);

  it('adds a subnet: the relayed client is served after SIGHUP', async () => {
    write((c) => c.subnets.push({ id: 2, ...daemonConfig({ stateDir: setup.stateDir }).subnets[1]! }));
    const outcome = await hup();
    expect(outcome).toMatchObject({ evt: 'config.reloaded', triggers: ['signal'], diff: { subnets: { added: [2] } } });
    const session = await UdhcpcSession.start(lab.relayed[0]!);
    sessions.push(session);
    expect(inRange(session.lease!.ip, RELAY_POOL)).toBe(true);
  });

  it('changes options: a renewing client gets the new router', async () => {
    const session = await UdhcpcSession.start(lab.direct[0]!);
    sessions.push(session);
    expect(session.lease!.router).toBe('198.51.100.1');
    write((c) => void (c.subnets[0]!['router'] = ['198.51.100.254']));
    expect(await hup()).toMatchObject({ evt: 'config.reloaded', diff: { subnets: { changed: [1] } } });
    const renewed = await session.renewUntil('renew');
    expect(renewed).toMatchObject({ ip: session.lease!.ip, router: '198.51.100.254' });
  });

  it('adds a reservation: the client holding another address moves to it at its next renewal', async () => {
    const c = lab.direct[1]!;
    const session = await UdhcpcSession.start(c);
    sessions.push(session);
    expect(inRange(session.lease!.ip, DIRECT_POOL)).toBe(true);
    write((cfg) => {
      const reservations = cfg.subnets[0]!['reservations'] as object[];
      reservations.push({ hwAddress: c.mac, address: RESERVED_FOR_C1 });
    });
    expect(await hup()).toMatchObject({ evt: 'config.reloaded', diff: { reservations: { added: [`1/${c.mac}`] } } });
    const moved = await session.renewUntil('bound', 30_000);
    expect(moved?.ip).toBe(RESERVED_FOR_C1);
  }, 40_000);

  it('a broken file is refused with its JSON paths; the daemon keeps serving the old config', async () => {
    const before = structuredClone(current);
    write((c) => {
      c.subnets[0]!['pools'] = [{ start: '198.51.100.100', end: '198.51.100.300' }];
      c['offerHoldSecnds'] = 10;
    });
    const outcome = await hup();
    expect(outcome).toMatchObject({ evt: 'config.reload_failed', err: { code: 'DHCPD_ERR_CONFIG_INVALID' } });
    const paths = (outcome['issues'] as { path: string }[]).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['$.offerHoldSecnds', '$.subnets[0].pools[0].end']));
    const lease = await udhcpc(lab.direct[2]!);
    expect(inRange(lease.ip, DIRECT_POOL)).toBe(true);
    expect(lease.router).toBe('198.51.100.254');
    // A store move cannot happen live: refused, named, nothing applied.
    current = before;
    write((c) => void (c['store'] = { kind: 'level', path: join(setup.stateDir, 'elsewhere') }));
    expect(await hup()).toMatchObject({
      evt: 'config.reload_failed', err: { code: 'DHCPD_ERR_CONFIG_RESTART_REQUIRED' }, issues: [{ path: '$.store.path' }],
    });
    current = before;
    write(() => {});
    expect(await hup()).toMatchObject({ evt: 'config.unchanged' });
  }, 40_000);

  it('removes a subnet: its client is NAKed at renewal (its lease stays stored) and served again once it is back', async () => {
    const session = sessions[1]!; // lab.direct[0], bound in the direct subnet
    const held = session.lease!.ip;
    const kept = structuredClone(current);
    write((c) => void (c.subnets = [c.subnets[1]!]));
    expect(await hup()).toMatchObject({ evt: 'config.reloaded', diff: { subnets: { removed: [1] } } });
    const naks = count('dhcp.nak');
    const before = session.events().length;
    await session.renewUntil('nak');
    expect(server.logs.filter((l) => l.evt === 'dhcp.nak').slice(naks)).toContainEqual(expect.objectContaining({ reason: 'subnet-invalid' }));
    current = kept;
    write(() => {});
    expect(await hup()).toMatchObject({ evt: 'config.reloaded', diff: { subnets: { added: [1] } } });
    // Its lease was kept through the NAK: back in its subnet, the client is offered the same address.
    const back = await session.until('bound', before, 30_000);
    expect(back?.ip).toBe(held);
  }, 60_000);

  it('survives 100 SIGHUPs in a second while clients bind: coalesced, never lost, never killed', async () => {
    write((c) => void (c['offerHoldSeconds'] = 45));
    const outcomes = () => count('config.reloaded') + count('config.unchanged') + count('config.reload_failed');
    const [reloadedBefore, runsBefore] = [count('config.reloaded'), outcomes()];
    const clients = Promise.all(lab.direct.slice(3).map((c) => udhcpc(c)));
    for (let i = 0; i < 100; i++) {
      server.signal!('SIGHUP');
      await sleep(10);
    }
    const leases = await clients;
    for (const lease of leases) expect(inRange(lease.ip, DIRECT_POOL)).toBe(true);
    await sleep(1_000);
    // Every SIGHUP was answered by a run that started after it: the file's change was applied exactly once.
    expect(count('config.reloaded') - reloadedBefore).toBe(1);
    const runs = outcomes() - runsBefore;
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(runs).toBeLessThanOrEqual(100);
    expect(count('config.reload_failed')).toBe(2);
    expect(await hup()).toMatchObject({ evt: 'config.unchanged' });
  }, 60_000);
});
