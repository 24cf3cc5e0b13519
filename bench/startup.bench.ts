// Start-up at scale: N bound leases in LevelDB, then the time from startApp to serving and the RSS it takes
// (the target is 10^6 leases ready within 2 s in < 400 MB). Bounded: N leases, one temp directory removed at the end.
// The store is filled by a child process (`--fill`), so the RSS measured here is the daemon's alone: the filling
// process's heap, LevelDB write buffers and garbage never count. With DORA=N, N new clients then go through DORA
// (relayed, W=256 in flight) into a second, empty subnet: the cost of a DORA with that many leases stored (run with
// leases=0 for the empty-store figure). The stored leases live in 100.64.0.0/10, only in the store and in memory.
// The "after gc" figures need node's --expose-gc (without it they are not after a collection, and say so).
// usage: [DORA=20000 [WARM=10000]] [CHECKPOINT=N] [DELTA_SHARE=S] [STARTUP_DIR=DIR] node --expose-gc --import tsx bench/startup.bench.ts [leases=1000000]
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pino } from 'pino';
import { Subject } from 'rxjs';
import { startApp } from '../src/app.js';
import { intToIp } from '../src/codec/index.js';
import { parseConfig } from '../src/config/index.js';
import type { Inbound, Outbound, Transport } from '../src/net/types.js';
import { decode, encode, messageTypeOf } from '../src/codec/index.js';
import { MessageType } from '../src/codec/types.js';
import { clientMessage } from '../test/helpers/test-client.js';
import { Level } from 'level';
import { LevelLeaseStore } from '../src/store/level-store.js';
import { openLevelStore } from '../src/store/open.js';
import { SNAPSHOT_FILE } from '../src/store/snapshots.js';
import { DEFAULT_CHECKPOINT } from '../src/store/checkpoint.js';
import { startLease, stepLease } from '../src/leases/lease-runner.js';
import type { LeaseRecord } from '../machines/lease.types.js';

if (process.argv[2] === '--fill') {
  await fill(process.argv[4]!, Number(process.argv[3]));
  process.exit(0);
}
if (process.argv[2] === '--snapshot') {
  await writeStartupSnapshot(process.argv[3]!);
  process.exit(0);
}

const leases = Number(process.argv[2] ?? 1_000_000);
const doras = Number(process.env.DORA ?? 0);
const wire = {
  serverId: '198.19.0.254', interfaces: [], logging: { level: 'silent' }, defaults: { leaseTime: 86_400 }, conflictCheck: { enabled: false },
  subnets: [
    { subnet: '100.64.0.0/10', pools: [{ start: '100.64.0.10', end: '100.127.255.254' }] },
    // A /15, so that a run of up to ~130,000 DORAs spans several checkpoints (and a merge: store.checkpoint.deltaShare).
    { subnet: '198.18.0.0/15', pools: [{ start: '198.18.1.0', end: '198.19.255.250' }], router: ['198.19.0.1'] },
  ],
};
const compiled = parseConfig(JSON.stringify(wire), { baseDir: '/tmp' });
if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
// STARTUP_DIR=DIR keeps the filled store there and reuses it on the next run (profiling the start alone).
const keep = process.env.STARTUP_DIR;
const dir = keep ?? mkdtempSync(join(tmpdir(), 'adstart-'));
const path = join(dir, `db-v2-${leases}`);
if (keep === undefined || !existsSync(path)) {
  execFileSync(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname, '--fill', String(leases), path], { stdio: 'inherit' });
} else if (!existsSync(join(path, SNAPSHOT_FILE))) {
  // A store kept from before fills wrote one: given its snapshot once, as a daemon's first clean stop would.
  execFileSync(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname, '--snapshot', path], { stdio: 'inherit' });
}
// DORAs add leases: a kept store is copied first, so every run starts from the same N.
const runPath = doras > 0 && keep !== undefined ? join(mkdtempSync(join(tmpdir(), 'adstart-run-')), 'db') : path;
if (runPath !== path) cpSync(path, runPath, { recursive: true });

async function fill(path: string, leases: number): Promise<void> {
  // With its snapshot path, so the close writes the start-up snapshot: a kept store (STARTUP_DIR) is only ever
  // copied afterwards, so without one every run would start by a scan.
  const fill = await openLevelStore(path, { snapshotPath: join(path, SNAPSHOT_FILE) });
  const base = (100 << 24) + (64 << 16) + 10;
  const fillStart = performance.now();
  for (let i = 0; i < leases; i += 5_000) {
    const batch = [];
    for (let j = i; j < Math.min(leases, i + 5_000); j++) {
      batch.push({ kind: 'put' as const, record: boundLease(intToIp((base + j) >>> 0), j) });
    }
    await fill.write(batch);
  }
  await fill.close();
  console.log(`filled ${leases} leases in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`);
}

async function writeStartupSnapshot(path: string): Promise<void> {
  const store = await openLevelStore(path, { snapshotPath: join(path, SNAPSHOT_FILE) });
  for await (const record of store.loadAll()) void record;
  await store.close();
  console.log(`wrote the start-up snapshot of ${path}`);
}

/** A lease bound a moment ago for a day, as the machine makes it (its timers lie in the future). */
function boundLease(ip: string, i: number): LeaseRecord {
  const now = Date.now();
  const mac = [2, 0, (i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255].map((b) => b.toString(16).padStart(2, '0')).join(':');
  const offered = startLease({ ip, subnetId: 1, clientKey: `hw:1:${mac}`, hwAddress: mac, now, holdMs: 60_000 });
  const bound = stepLease(offered, { type: 'lease.commit', now, leaseMs: 86_400_000, renewMs: 43_200_000, rebindMs: 75_600_000, graceMs: 0 });
  if (bound === undefined) throw new Error('the lease machine refused the commit');
  return bound;
}

const inbound$ = new Subject<Inbound>();
const pending = new Map<number, (o: Outbound) => void>();
const transport: Transport = {
  kind: 'memory', inbound$, interfaces: () => [], close: async () => {},
  send: async (out) => pending.get(out.data.readUInt32BE(4))?.(out),
};
globalThis.gc?.();
const rssBefore = process.memoryUsage().rss;
const start = performance.now();
// Unopened, as the CLI hands it over: the supervisor opens it and rehydrates every lease.
// SNAPSHOT=0 measures the full scan (no snapshot read or written); by default the store keeps one as the daemon's does.
const snapshotPath = process.env.SNAPSHOT === '0' ? undefined : join(runPath, SNAPSHOT_FILE);
// CHECKPOINT=N: the daemon's checkpoints every N addresses (default: the daemon's default); 0: none. A checkpoint's
// worker thread counts in the CPU per DORA (process.cpuUsage covers every thread). DELTA_SHARE=S: store.checkpoint.deltaShare
// (default: the daemon's; 0: every checkpoint merges a new snapshot, as before delta files).
const checkpointEvery = Number(process.env.CHECKPOINT ?? DEFAULT_CHECKPOINT.addresses);
const deltaShare = Number(process.env.DELTA_SHARE ?? DEFAULT_CHECKPOINT.deltaShare);
const checkpoints: string[] = [];
function noteCheckpoint(obj: { evt?: string; kind?: string; addresses?: number; ms?: number }): void {
  if (obj.evt === 'store.checkpoint.written') checkpoints.push(`${obj.kind} of ${obj.addresses} in ${obj.ms} ms`);
}
const store = new LevelLeaseStore(new Level<string, string>(runPath, { createIfMissing: true }), {
  location: runPath, ...(snapshotPath === undefined ? {} : { snapshotPath }),
  checkpoint: { ...DEFAULT_CHECKPOINT, addresses: checkpointEvery > 0 ? checkpointEvery : Number.MAX_SAFE_INTEGER, deltaShare },
  logger: { info: noteCheckpoint, warn: (obj: object) => console.warn(JSON.stringify(obj)), error: (obj: object) => console.error(JSON.stringify(obj)) },
});
const app = startApp({ config: compiled.config, log: pino({ level: 'silent' }), store, openTransport: async () => transport });
await app.ready;
const seconds = (performance.now() - start) / 1000;
const rssReady = process.memoryUsage().rss;
globalThis.gc?.();
const rss = process.memoryUsage().rss;
const heap = process.memoryUsage().heapUsed;
const statsStart = performance.now();
const stats = app.statistics();
const statsMs = performance.now() - statsStart;
const statsAgainStart = performance.now();
app.statistics();
const statsAgainMs = performance.now() - statsAgainStart;
const { arrayBuffers } = process.memoryUsage();
const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
console.log(`${stats.leases} leases ready in ${seconds.toFixed(2)} s; RSS ${mb(rssReady)} MB at ready, ${mb(rss)} MB after gc `
  + `(heap ${mb(heap)} MB, array buffers ${mb(arrayBuffers)} MB; ${mb(rssBefore)} MB before start); `
  + `statistics() ${statsMs.toFixed(1)} ms first, ${statsAgainMs.toFixed(2)} ms then`);
// WARM=N: N DORAs first, not counted (JIT warm-up).
const warm = Number(process.env.WARM ?? 0);
if (doras > 0 && warm > 0) {
  await runDoras(warm, 0, false);
}
if (doras > 0) await runDoras(doras, warm);

function send(msg: ReturnType<typeof clientMessage>): Promise<Outbound> {
  return new Promise((resolve) => {
    pending.set(msg.xid, (o) => { pending.delete(msg.xid); resolve(o); });
    inbound$.next({ data: encode(msg), from: { address: '198.19.0.1', port: 67 }, receivedAt: Date.now() });
  });
}

async function dora(i: number): Promise<void> {
  const mac = [2, 1, (i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255].map((b) => b.toString(16).padStart(2, '0')).join(':');
  const client = { mac, giaddr: '198.19.0.1' };
  const offer = decode((await send(clientMessage(client, MessageType.DISCOVER, { xid: i * 2 + 1 }))).data);
  if (!offer.ok) throw offer.error;
  const ack = decode((await send(clientMessage(client, MessageType.REQUEST, { xid: i * 2 + 2, requested: offer.msg.yiaddr, serverId: '198.19.0.254' }))).data);
  if (!ack.ok || messageTypeOf(ack.msg) !== MessageType.ACK) throw new Error(`no ACK for client ${i}`);
}

async function runDoras(count: number, first = 0, report = true): Promise<void> {
  const doraStart = performance.now();
  const cpuStart = process.cpuUsage();
  // The longest the event loop was blocked: a one-off stall (a table's growth, a rehash) shows here, not in the mean.
  const stalls = monitorEventLoopDelay({ resolution: 10 });
  stalls.enable();
  let next = first;
  await Promise.all(Array.from({ length: 256 }, async () => {
    while (next < first + count) await dora(next++);
  }));
  stalls.disable();
  const stall = `longest event-loop stall ${(stalls.max / 1e6).toFixed(0)} ms`;
  if (!report) {
    console.log(`${count} DORA run first, not counted (${stall})`);
    return;
  }
  const doraSeconds = (performance.now() - doraStart) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  console.log(`${count} DORA with ${stats.leases} leases stored: ${(count / doraSeconds).toFixed(0)} DORA/s, `
    + `CPU ${((cpu.user + cpu.system) / count).toFixed(0)} us per DORA, ${stall}; RSS ${mb(process.memoryUsage().rss)} MB after`);
  globalThis.gc?.();
  const after = process.memoryUsage();
  console.log(`${globalThis.gc === undefined ? 'no gc (run node with --expose-gc)' : 'after a gc'}: RSS ${mb(after.rss)} MB, heap ${mb(after.heapUsed)} MB, array buffers ${mb(after.arrayBuffers)} MB`);
}
console.log(`checkpoints: ${checkpoints.join(', ') || 'none'}`);
const snapshotEvents = Object.entries(app.statistics().counters.events ?? {}).filter(([name]) => name.startsWith('store.snapshot.'));
const stopStart = performance.now();
await app.stop();
console.log(`loaded by ${snapshotEvents.map(([n, c]) => `${n}=${c}`).join(', ') || 'scan'}; stopped in ${((performance.now() - stopStart) / 1000).toFixed(2)} s `
  + `(the snapshot is written at a clean stop)`);
if (runPath !== path) rmSync(dirname(runPath), { recursive: true, force: true });
if (keep === undefined) rmSync(dir, { recursive: true, force: true });
