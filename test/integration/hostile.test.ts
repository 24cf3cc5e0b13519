// A hostile network, for real: the hostile-traffic generator (bench/hostile/hostile-traffic.mjs: random and mutated
// packets, random chaddr/giaddr/ciaddr, fixed seed, bounded count and rate) floods the daemon from a client
// namespace while liveness probes (full DORAs from fresh MACs) run; then a DISCOVER-only flood from random MACs
// against the 100-address pool with the default config, while a new real client binds. Sizes come from the environment so the full runs
// (bench/hostile/full-run.sh) use the same code: HOSTILE_COUNT, HOSTILE_RATE, HOSTILE_PROBE_EVERY, FLOOD_COUNT, FLOOD_RATE.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { udhcpc } from './harness/clients.js';
import { DIRECT_POOL, REPO } from './harness/daemon.js';
import type { ClientNs } from './harness/netns.js';
import { exec, run, sleep } from './harness/proc.js';
import { inRange, integrationSkip, SERVER_KIND, useLab, type LabContext } from './harness/suite.js';

const skip = integrationSkip('hostile') ?? (SERVER_KIND === 'kea' ? 'daemon only (reads its RSS and log)' : undefined);
const GENERATOR = join(REPO, 'bench/hostile/hostile-traffic.mjs');
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

interface Summary {
  sent: number; rate: number; floodSeconds: number; forbiddenSent: number; forbiddenAnswered: number;
  probes: number; probesAnswered: number; probesBound: number; maxOfferMs: number;
  probeDetail: { probe: number; offerMs?: number; ackMs?: number; ip?: string; nak: boolean }[];
}

async function generate(c: ClientNs, args: Record<string, number | string>, timeoutMs: number): Promise<Summary> {
  const argv = Object.entries(args).flatMap(([k, v]) => [`--${k}`, String(v)]);
  const r = await exec('ip', ['netns', 'exec', c.ns, process.execPath, GENERATOR, ...argv], { timeoutMs });
  if (r.code !== 0) throw new Error(`generator failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Summary;
}

/** The daemon's process id: the node process in the server namespace. */
async function daemonPid(serverNs: string): Promise<string> {
  const pids = (await run('ip', ['netns', 'pids', serverNs], { timeoutMs: 5_000 })).split(/\s+/).filter(Boolean);
  const pid = pids.find((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('cli.js'));
  if (pid === undefined) throw new Error('daemon process not found');
  return pid;
}

/** The daemon's CPU time so far (clock ticks, user + system). */
const cpuTicks = (pid: string): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
};

/** Waits (at most 20 s) until the daemon uses under 5 % of a CPU over half a second: its start-up work is done. */
async function idle(pid: string): Promise<void> {
  for (const end = Date.now() + 20_000; Date.now() < end;) {
    const before = cpuTicks(pid);
    await sleep(500);
    if (cpuTicks(pid) - before <= 2) return; // 100 ticks a second: 2 in 0.5 s is 4 %
  }
}

/** The daemon's resident set (kB). */
const rssKb = (pid: string): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

/** Datagrams the kernel dropped in namespace `ns` because a socket's receive buffer was full. */
async function rcvbufErrors(ns: string): Promise<number> {
  const lines = (await run('ip', ['netns', 'exec', ns, 'cat', '/proc/net/snmp'], { timeoutMs: 5_000 })).split('\n').filter((l) => l.startsWith('Udp:'));
  const names = lines[0]!.split(/\s+/);
  return Number(lines[1]!.split(/\s+/)[names.indexOf('RcvbufErrors')]);
}

async function address(c: ClientNs, ip: string): Promise<void> {
  await run('ip', ['-n', c.ns, 'addr', 'replace', `${ip}/24`, 'dev', c.iface], { timeoutMs: 5_000 });
  await run('ip', ['-n', c.ns, 'route', 'replace', 'default', 'dev', c.iface], { timeoutMs: 5_000 });
}

describe.skipIf(skip !== undefined)('a hostile network (daemon)', () => {
  // The garbage run's attacker and client, then the DISCOVER flood's attacker and its two new clients, and the
  // garbage run's liveness prober.
  const ctx = useLab({ direct: [{}, {}, {}, {}, {}, {}] });
  const logBytes = () => ctx.server.logs.reduce((n, l) => n + JSON.stringify(l).length + 1, 0);

  it('garbage at rate: liveness probes answered, nothing answered that must not be, RSS and log stay small', async () => {
    const count = env('HOSTILE_COUNT', 100_000);
    const attacker = ctx.lab.direct[0]!;
    await address(attacker, '198.51.100.250');
    // The probes come from a host of their own: the generator's process is busy sending 20,000 packets a second and
    // reads replies late (seconds, measured), which timed the generator rather than the daemon.
    const prober = ctx.lab.direct[5]!;
    await address(prober, '198.51.100.252');
    const pid = await daemonPid(ctx.lab.server);
    // The baseline is taken once the daemon has finished starting: it serves DHCP before its control API is built and
    // its statecharts are laid out (a worker thread, ~2 s of CPU), and that start-up memory is not the flood's.
    await ctx.server.waitForEvt('control.listening');
    await idle(pid);
    const rss0 = rssKb(pid);
    // The resident set every 2 s during the flood: growth that levels off is the live set of the flood's rate
    // (exchanges, holds, caches within their expiry); growth that follows the packet count to the end is retention.
    const rssSeriesKb: number[] = [];
    const sampler = setInterval(() => rssSeriesKb.push(rssKb(pid)), 2_000);
    const drops0 = await rcvbufErrors(ctx.lab.server);
    const attackerDrops0 = await rcvbufErrors(attacker.ns);
    const log0 = logBytes();
    const s = await generate(attacker, {
      count, rate: env('HOSTILE_RATE', 5_000), seed: 7, 'probe-every': env('HOSTILE_PROBE_EVERY', 10_000), 'probe-ns': prober.ns,
    }, 60_000 + (count / 1_000) * 1_000);
    clearInterval(sampler);
    const rss1 = rssKb(pid);
    const kernelDrops = (await rcvbufErrors(ctx.lab.server)) - drops0;
    // Replies the generator's socket could not take: an answer that must not be given would be lost unseen.
    const attackerDrops = (await rcvbufErrors(attacker.ns)) - attackerDrops0;
    const offerMs = s.probeDetail.map((p) => (p.offerMs === undefined ? null : Math.round(p.offerMs)));
    // Growth from the lowest resident set seen (before or during the flood): memory the daemon's start-up still held
    // when the flood began (V8's compiler zones, freed a few seconds in) must not hide growth the flood caused.
    const rssBase = Math.min(rss0, ...rssSeriesKb);
    const rssSeriesMb = rssSeriesKb.map((kb) => Math.round((kb - rssBase) / 1024));
    const numbers = { ...s, probeDetail: undefined, offerMs, kernelDrops, attackerDrops, rssBaseMb: Math.round(rssBase / 1024), rssGrowthMb: (rss1 - rssBase) / 1024, rssSeriesMb, logBytes: logBytes() - log0 };
    console.log(`hostile run: ${JSON.stringify(numbers)}`);
    const evts = new Map<string, number>();
    for (const l of ctx.server.logs) evts.set(`${l.evt}/${String(l['reason'] ?? '')}`, (evts.get(`${l.evt}/${String(l['reason'] ?? '')}`) ?? 0) + Number(l['count'] ?? 1));
    console.log(`daemon log: ${JSON.stringify(Object.fromEntries(evts))}`);
    expect(s.sent).toBe(count);
    // Conclusive only when the generator read every reply (attackerDrops 0): bench/hostile/verdict.ts requires both.
    expect(s.forbiddenAnswered).toBe(0);
    // Every probe the daemon received is answered within 3 s; on a saturated host the kernel drops datagrams the
    // daemon cannot read in time (kernelDrops, RcvbufErrors), probes among them, so all of them are required only
    // when the kernel dropped none; a real client must bind once the flood is over (below).
    if (kernelDrops === 0) expect(s.probesAnswered, JSON.stringify(s.probeDetail)).toBe(s.probes);
    else expect(s.probesAnswered).toBeGreaterThanOrEqual(1);
    // Issue 10's bound. What the daemon retains does not grow with the packet count, and the flood's working set is a
    // few MB of bounded tables (exchanges waiting for a REQUEST are records, cached replies share slabs); what grows
    // is old space holding promoted garbage up to 1.5x its live data, and malloc's heap (docs/security.md "Memory
    // under a flood"): ~35 MB at this size (10^5 at 5,000 pps) on a loaded host.
    expect(numbers.rssGrowthMb).toBeLessThan(env('HOSTILE_RSS_LIMIT_MB', 50));
    expect(numbers.logBytes).toBeLessThan(count < 500_000 ? 1_000_000 : 5_000_000);
    // Still serving a real client afterwards (once the backlog the kernel buffered is read).
    const lease = await udhcpc(ctx.lab.direct[1]!, { timeoutMs: 60_000 });
    expect(inRange(lease.ip, DIRECT_POOL)).toBe(true);
  }, 600_000);

  it('a DISCOVER-only flood from random MACs: every probe answered and a new real client bound, during and after (default config)', async () => {
    // The runs: 2,000 at 200/s here, and 10^5 at 2,000/s (bench/hostile/full-run.sh). Past the 100-address
    // pool, DISCOVERs are answered with offers that do not reserve; the first REQUEST wins the address.
    const [, , attacker, during, after] = ctx.lab.direct as [ClientNs, ClientNs, ClientNs, ClientNs, ClientNs];
    await floodWithClients(ctx, { attacker, during, after }, DIRECT_POOL, env('FLOOD_COUNT', 2_000), env('FLOOD_RATE', 200));
  }, 600_000);
});

describe.skipIf(skip !== undefined)('a DISCOVER flood past the pool (daemon, 20-address pool)', () => {
  // Twenty addresses: the 11 probes and the 2 real clients bind 13 of them; the flood's offers hold the rest.
  const pool = { start: '198.51.100.100', end: '198.51.100.119' };
  const ctx = useLab({ direct: [{}, {}, {}] }, { configure: (config) => void (config.subnets[0]!['pools'] = [pool]) });

  it('400 DISCOVERs/s onto 20 addresses: every probe answered and a new real client bound, during and after', async () => {
    // Most DISCOVERs find the pool full of the flood's offers: they are answered with offers that do not reserve
    // (docs/protocol.md "Offers yield under pressure"), and the first REQUEST for an address wins it. Light enough
    // for a loaded host. A probe every 250 DISCOVERs (0.625 s): the second comes after the pool's first conflict
    // probes (500 ms, every address at once) ended — a single-shot DISCOVER during them is dropped (offers-shielded).
    const [attacker, during, after] = ctx.lab.direct as [ClientNs, ClientNs, ClientNs];
    await floodWithClients(ctx, { attacker, during, after }, pool, 2_500, 400);
    const unreserved = ctx.server.logs.filter((l) => l.evt === 'offer.unreserved');
    expect(unreserved.length).toBeGreaterThan(0);
  }, 600_000);
});

/**
 * DISCOVERs from random MACs at `rate` from one client namespace, with the generator's single-shot liveness probes
 * (one DISCOVER, one REQUEST, no retransmission); a new real client (busybox udhcpc: a DISCOVER every 2 s) starts a
 * quarter into the flood and must bind before it ends, and another one after it.
 */
async function floodWithClients(
  ctx: LabContext, { attacker, during, after }: Record<'attacker' | 'during' | 'after', ClientNs>, pool: { start: string; end: string }, count: number, rate: number,
): Promise<void> {
  await address(attacker, '198.51.100.251');
  // A fresh daemon first finishes starting (its control API, the statecharts' layout): the flood is what is judged.
  await ctx.server.waitForEvt('control.listening');
  await idle(await daemonPid(ctx.lab.server));
  const floodMs = (count / rate) * 1_000;
  const started = Date.now();
  const flood = generate(attacker, { mode: 'discover', count, rate, seed: 11, 'probe-every': Math.max(1, Math.floor(count / 10)) }, 60_000 + floodMs);
  await sleep(floodMs / 4);
  const duringLease = await udhcpc(during, { timeoutMs: 30_000 });
  const boundMs = Date.now() - started;
  const s = await flood;
  console.log(`discover flood: ${JSON.stringify({ ...s, duringMs: boundMs, probeDetail: s.probeDetail.map((p) => [p.offerMs?.toFixed(1), p.ackMs?.toFixed(1), p.ip, p.nak ? 'NAK' : '']) })}`);
  expect(inRange(duringLease.ip, pool)).toBe(true);
  // Bound while the flood ran (timed from before the generator started: on the safe side).
  expect(boundMs).toBeLessThan(s.floodSeconds * 1_000);
  expect(s.probesAnswered, JSON.stringify(s.probeDetail)).toBe(s.probes);
  // Every probe binds, except one that lost its unreserved address to another legitimate client's REQUEST (the
  // first REQUEST wins; the flood never REQUESTs, so it never wins one): that probe is NAKed, not left waiting, and
  // a real client starts over. Losing to anyone else, or silence, fails.
  const boundByOthers = (probe: (typeof s.probeDetail)[number]) => [duringLease.ip, ...s.probeDetail.filter((o) => o !== probe && o.ackMs !== undefined).map((o) => o.ip)];
  for (const probe of s.probeDetail.filter((p) => p.ackMs === undefined)) {
    expect({ probe: probe.probe, nak: probe.nak, lostToLegitimate: boundByOthers(probe).includes(probe.ip) }, JSON.stringify(s.probeDetail)).toEqual({ probe: probe.probe, nak: true, lostToLegitimate: true });
  }
  expect(s.probesBound, JSON.stringify(s.probeDetail)).toBeGreaterThanOrEqual(s.probes - 2);
  const afterLease = await udhcpc(after, { timeoutMs: 30_000 });
  expect(inRange(afterLease.ip, pool)).toBe(true);
  expect(afterLease.ip).not.toBe(duringLease.ip);
  expect(ctx.server.logs.filter((l) => l.evt === 'pool.exhausted')).toHaveLength(0);
  for (const evt of ['offer.unreserved', 'offer.won']) expect(ctx.server.logs.filter((l) => l.evt === evt).length).toBeLessThan(20);
}
