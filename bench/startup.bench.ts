// Start-up at scale: N bound leases in LevelDB, then the time from startApp to serving and the RSS it takes
// (the target is 10^6 leases ready within 2 s in < 400 MB). Bounded: N leases, one temp directory removed at the end.
// usage: npx tsx bench/startup.bench.ts [leases=1000000]
import { mkdtempSync, rmSync } from 'node:fs';
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
import { makeRecord } from '../test/unit/store/helpers.js';

const leases = Number(process.argv[2] ?? 1_000_000);
const wire = {
  serverId: '198.18.0.1', interfaces: [], logging: { level: 'silent' }, defaults: { leaseTime: 86_400 },
  subnets: [{ subnet: '198.18.0.0/15', pools: [{ start: '198.18.0.10', end: '198.19.255.254' }] }],
};
const compiled = parseConfig(JSON.stringify(wire), { baseDir: '/tmp' });
if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
const dir = mkdtempSync(join(tmpdir(), 'adstart-'));
const path = join(dir, 'db');

const fill = await openLevelStore(path);
const base = (198 << 24) + (18 << 16) + 10;
const fillStart = performance.now();
for (let i = 0; i < leases; i += 5_000) {
  const batch = [];
  for (let j = i; j < Math.min(leases, i + 5_000); j++) {
    const record = makeRecord(intToIp((base + j) >>> 0), `hw:1:${j.toString(16)}`);
    batch.push({ kind: 'put' as const, record: { ...record, context: { ...record.context, expiresAt: Date.now() + 86_400_000 } } });
  }
  await fill.write(batch);
}
await fill.close();
console.log(`filled ${leases} leases in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`);

const transport: Transport = { kind: 'memory', inbound$: new Subject<Inbound>(), interfaces: () => [], send: async () => {}, close: async () => {} };
const rssBefore = process.memoryUsage().rss;
const start = performance.now();
// Unopened, as the CLI hands it over: the supervisor opens it and rehydrates every lease.
const store = new LevelLeaseStore(new Level<string, string>(path, { createIfMissing: true }), { location: path });
const app = startApp({ config: compiled.config, log: pino({ level: 'silent' }), store, openTransport: async () => transport });
await app.ready;
const seconds = (performance.now() - start) / 1000;
globalThis.gc?.();
const rss = process.memoryUsage().rss;
console.log(`${app.statistics().leases} leases ready in ${seconds.toFixed(2)} s; RSS ${(rss / 2 ** 20).toFixed(0)} MB (before start ${(rssBefore / 2 ** 20).toFixed(0)} MB)`);
await app.stop();
rmSync(dir, { recursive: true, force: true });
