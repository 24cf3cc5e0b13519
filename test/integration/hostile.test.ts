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
import { inRange, integrationSkip, SERVER_KIND, useLab } from './harness/suite.js';

const skip = integrationSkip('hostile') ?? (SERVER_KIND === 'kea' ? 'daemon only (reads its RSS and log)' : undefined);
const GENERATOR = join(REPO, 'bench/hostile/hostile-traffic.mjs');
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

interface Summary {
  sent: number; rate: number; floodSeconds: number; forbiddenSent: number; forbiddenAnswered: number;
  probes: number; probesAnswered: number; probesBound: number; maxOfferMs: number;
  probeDetail: { probe: number; offerMs?: number; ackMs?: number; ip?: string }[];
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

/** The daemon's resident set (kB). */
const rssKb = (pid: string): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

/** Datagrams the kernel dropped because the daemon's socket buffer was full (server namespace). */
async function rcvbufErrors(serverNs: string): Promise<number> {
  const lines = (await run('ip', ['netns', 'exec', serverNs, 'cat', '/proc/net/snmp'], { timeoutMs: 5_000 })).split('\n').filter((l) => l.startsWith('Udp:'));
  const names = lines[0]!.split(/\s+/);
  return Number(lines[1]!.split(/\s+/)[names.indexOf('RcvbufErrors')]);
}

async function address(c: ClientNs, ip: string): Promise<void> {
  await run('ip', ['-n', c.ns, 'addr', 'replace', `${ip}/24`, 'dev', c.iface], { timeoutMs: 5_000 });
  await run('ip', ['-n', c.ns, 'route', 'replace', 'default', 'dev', c.iface], { timeoutMs: 5_000 });
}

describe.skipIf(skip !== undefined)('a hostile network (daemon)', () => {
  const ctx = useLab({ direct: [{}, {}, {}, {}] });
  const logBytes = () => ctx.server.logs.reduce((n, l) => n + JSON.stringify(l).length + 1, 0);

  it('garbage at rate: liveness probes answered, nothing answered that must not be, RSS and log stay small', async () => {
    const count = env('HOSTILE_COUNT', 100_000);
    const attacker = ctx.lab.direct[0]!;
    await address(attacker, '198.51.100.250');
    const pid = await daemonPid(ctx.lab.server);
    const rss0 = rssKb(pid);
    // The resident set every 2 s during the flood: growth that levels off is the live set of the flood's rate
    // (exchanges, holds, caches within their expiry); growth that follows the packet count to the end is retention.
    const rssSeriesKb: number[] = [];
    const sampler = setInterval(() => rssSeriesKb.push(rssKb(pid)), 2_000);
    const drops0 = await rcvbufErrors(ctx.lab.server);
    const log0 = logBytes();
    const s = await generate(attacker, {
      count, rate: env('HOSTILE_RATE', 5_000), seed: 7, 'probe-every': env('HOSTILE_PROBE_EVERY', 10_000),
    }, 60_000 + (count / 1_000) * 1_000);
    clearInterval(sampler);
    const rss1 = rssKb(pid);
    const kernelDrops = (await rcvbufErrors(ctx.lab.server)) - drops0;
    const offerMs = s.probeDetail.map((p) => (p.offerMs === undefined ? null : Math.round(p.offerMs)));
    // Growth from the lowest resident set seen (before or during the flood): memory the daemon's start-up still held
    // when the flood began (V8's compiler zones, freed a few seconds in) must not hide growth the flood caused.
    const rssBase = Math.min(rss0, ...rssSeriesKb);
    const rssSeriesMb = rssSeriesKb.map((kb) => Math.round((kb - rssBase) / 1024));
    const numbers = { ...s, probeDetail: undefined, offerMs, kernelDrops, rssBaseMb: Math.round(rssBase / 1024), rssGrowthMb: (rss1 - rssBase) / 1024, rssSeriesMb, logBytes: logBytes() - log0 };
    console.log(`hostile run: ${JSON.stringify(numbers)}`);
    const evts = new Map<string, number>();
    for (const l of ctx.server.logs) evts.set(`${l.evt}/${String(l['reason'] ?? '')}`, (evts.get(`${l.evt}/${String(l['reason'] ?? '')}`) ?? 0) + Number(l['count'] ?? 1));
    console.log(`daemon log: ${JSON.stringify(Object.fromEntries(evts))}`);
    expect(s.sent).toBe(count);
    expect(s.forbiddenAnswered).toBe(0);
    // Every probe the daemon received is answered within 3 s; on a saturated host the kernel drops datagrams the
    // daemon cannot read in time (kernelDrops, RcvbufErrors), probes among them, so all of them are required only
    // when the kernel dropped none; a real client must bind once the flood is over (below).
    if (kernelDrops === 0) expect(s.probesAnswered, JSON.stringify(s.probeDetail)).toBe(s.probes);
    else expect(s.probesAnswered).toBeGreaterThanOrEqual(1);
    // Issue 10's bound. What the daemon retains does not grow with the packet count (bench/hostile/memory.bench.ts:
    // the live heap after GC levels off at 30-45 MB); what made the RSS grow was V8 sizing its heap for the load —
    // the young generation growing to 64 MB and old space filling with promoted garbage up to V8's up-to-4x limit —
    // which cli.js's shebang now fixes at start and bounds (docs/security.md "Memory under a flood"): 20-25 MB here.
    expect(numbers.rssGrowthMb).toBeLessThan(env('HOSTILE_RSS_LIMIT_MB', 50));
    expect(numbers.logBytes).toBeLessThan(count < 500_000 ? 1_000_000 : 5_000_000);
    // Still serving a real client afterwards (once the backlog the kernel buffered is read).
    const lease = await udhcpc(ctx.lab.direct[1]!, { timeoutMs: 60_000 });
    expect(inRange(lease.ip, DIRECT_POOL)).toBe(true);
  }, 600_000);

  it('a DISCOVER-only flood past pool size / request window: every probe and a new real client bind, during and after (default config)', async () => {
    // 2,000/s is twice what the 100-address pool turns over at offerRequestWindowMs (100 ms): most DISCOVERs find
    // every offer shielded and are answered with offers that do not reserve (docs/protocol.md "Offers yield under
    // pressure"). The issue's runs: 2,000 at 200/s, and 10^5 at 2,000/s (bench/hostile/full-run.sh).
    const count = env('FLOOD_COUNT', 10_000);
    const rate = env('FLOOD_RATE', 2_000);
    const attacker = ctx.lab.direct[2]!;
    await address(attacker, '198.51.100.251');
    const floodMs = (count / rate) * 1_000;
    const started = Date.now();
    const flood = generate(attacker, { mode: 'discover', count, rate, seed: 11, 'probe-every': Math.max(1, Math.floor(count / 10)) }, 60_000 + floodMs);
    // A new real client (busybox udhcpc: one DISCOVER every 2 s) starts a quarter into the flood.
    await sleep(floodMs / 4);
    const during = await udhcpc(ctx.lab.direct[3]!, { timeoutMs: 30_000 });
    const boundMs = Date.now() - started;
    const s = await flood;
    const total = (evt: string) => ctx.server.logs.filter((l) => l.evt === evt).reduce((n, l) => n + Number(l['count'] ?? 1), 0);
    const offers = { unreserved: total('offer.unreserved'), reclaimed: total('offer.reclaimed'), shielded: total('offer.shielded') };
    console.log(`discover flood: ${JSON.stringify({ ...s, duringMs: boundMs, offers, probeDetail: s.probeDetail.map((p) => [p.offerMs?.toFixed(1), p.ackMs?.toFixed(1)]) })}`);
    expect(inRange(during.ip, DIRECT_POOL)).toBe(true);
    // Bound while the flood ran (timed from before the generator started, so on the safe side).
    expect(boundMs).toBeLessThan(s.floodSeconds * 1_000);
    // Every single-shot probe (one DISCOVER, one REQUEST, no retransmission) was answered and bound.
    expect(s.probesAnswered, JSON.stringify(s.probeDetail)).toBe(s.probes);
    expect(s.probesBound, JSON.stringify(s.probeDetail)).toBe(s.probes);
    // And after it, another new client.
    const after = await udhcpc(ctx.lab.direct[0]!, { timeoutMs: 30_000 });
    expect(inRange(after.ip, DIRECT_POOL)).toBe(true);
    expect(after.ip).not.toBe(during.ip);
    expect(ctx.server.logs.filter((l) => l.evt === 'pool.exhausted')).toHaveLength(0);
    // Aggregated: a line per reason per 10 s, not one per packet.
    for (const evt of ['offer.reclaimed', 'offer.unreserved', 'offer.won']) {
      expect(ctx.server.logs.filter((l) => l.evt === evt).length).toBeLessThan(20);
    }
  }, 600_000);
});
