// Start-up at scale: N bound leases in LevelDB, then the time from startApp to serving and the RSS it takes
// (the target is 10^6 leases ready within 2 s in < 400 MB). Bounded: N leases, one temp directory removed at the end.
// The store is filled by a child process (`--fill`), so the RSS measured here is the daemon's alone: the filling
// process's heap, LevelDB write buffers and garbage never count.
// usage: npx tsx bench/startup.bench.ts [leases=1000000]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Subject } from 'rxjs';
import { startApp } from '../src/app.js';
import { intToIp } from '../src/codec/index.js';
import { parseConfig } from '../src/config/index.js';
import type { Inbound, Transport } from '../src/net/types.js';
import { Level } from 'level';
import { LevelLeaseStore } from '../src/store/level-store.js';
import { openLevelStore } from '../src/store/open.js';
import { startLease, stepLease } from '../src/leases/lease-runner.js';
import type { LeaseRecord } from '../machines/lease.types.js';

if (process.argv[2] === '--fill') {
  await fill(process.argv[4]!, Number(process.argv[3]));
  process.exit(0);
}

const leases = Number(process.argv[2] ?? 1_000_000);
const wire = {
  serverId: '198.18.0.1', interfaces: [], logging: { level: 'silent' }, defaults: { leaseTime: 86_400 },
  subnets: [{ subnet: '198.18.0.0/15', pools: [{ start: '198.18.0.10', end: '198.19.255.254' }] }],
};
const compiled = parseConfig(JSON.stringify(wire), { baseDir: '/tmp' });
if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
// STARTUP_DIR=DIR keeps the filled store there and reuses it on the next run (profiling the start alone).
const keep = process.env.STARTUP_DIR;
const dir = keep ?? mkdtempSync(join(tmpdir(), 'adstart-'));
const path = join(dir, `db-${leases}`);
if (keep === undefined || !existsSync(path)) {
  execFileSync(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname, '--fill', String(leases), path], { stdio: 'inherit' });
}

async function fill(path: string, leases: number): Promise<void> {
  const fill = await openLevelStore(path);
  const base = (198 << 24) + (18 << 16) + 10;
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

/** A lease bound a moment ago for a day, as the machine makes it (its timers lie in the future). */
function boundLease(ip: string, i: number): LeaseRecord {
  const now = Date.now();
  const mac = [2, 0, (i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255].map((b) => b.toString(16).padStart(2, '0')).join(':');
  const offered = startLease({ ip, subnetId: 1, clientKey: `hw:1:${mac}`, hwAddress: mac, now, holdMs: 60_000 });
  const bound = stepLease(offered, { type: 'lease.commit', now, leaseMs: 86_400_000, renewMs: 43_200_000, rebindMs: 75_600_000, graceMs: 0 });
  if (bound === undefined) throw new Error('the lease machine refused the commit');
  return bound;
}

const transport: Transport = { kind: 'memory', inbound$: new Subject<Inbound>(), interfaces: () => [], send: async () => {}, close: async () => {} };
globalThis.gc?.();
const rssBefore = process.memoryUsage().rss;
const start = performance.now();
// Unopened, as the CLI hands it over: the supervisor opens it and rehydrates every lease.
const store = new LevelLeaseStore(new Level<string, string>(path, { createIfMissing: true }), { location: path });
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
const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
console.log(`${stats.leases} leases ready in ${seconds.toFixed(2)} s; RSS ${mb(rssReady)} MB at ready, ${mb(rss)} MB after gc `
  + `(heap ${mb(heap)} MB; ${mb(rssBefore)} MB before start); statistics() ${statsMs.toFixed(1)} ms`);
await app.stop();
if (keep === undefined) rmSync(dir, { recursive: true, force: true });
