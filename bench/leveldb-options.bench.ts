// LevelDB's options against the store's write path: N lease writes as ACKs make them (the offer's and the ACK's
// transitions recorded, then the bound record written; 128 writers, so commits gather as under load) on a store
// opened with the given classic-level options, then the process's CPU per write: the main thread's, and the other
// threads' (LevelDB's log write, fsync, memtable flushes and compactions, V8's helpers). Then the time and memory
// of two re-opens (the first replays the log the close left: up to writeBufferSize of it).
// usage: npx tsx bench/leveldb-options.bench.ts [writes=300000] ['{"writeBufferSize":16777216}']
// Alternate option sets in one period: on a shared host separate runs differ by 10-20 %.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { LevelLeaseStore } from '../src/store/level-store.js';
import { HistoryRecorder } from '../src/store/history-recorder.js';

const n = Number(process.argv[2] ?? 300000);
const opts = JSON.parse(process.argv[3] ?? '{}');
const window = 128;
const dir = mkdtempSync(join(tmpdir(), 'lvl-opt-'));
const db = new Level<string, string>(dir, { createIfMissing: true, ...opts });
const store = new LevelLeaseStore(db);
await store.open();
const rec = new HistoryRecorder(store, () => 64);
const BASE = 0xc6120000;
const ipOf = (i: number) => { const v = BASE + (i % 131000); return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`; };
const macOf = (i: number) => `02:00:${[(i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255].map((x) => x.toString(16).padStart(2, '0')).join(':')}`;
function threadCpuUs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10_000;
}
const c0 = process.cpuUsage(); const m0 = threadCpuUs(); const t0 = Date.now();
let next = 0;
await Promise.all(Array.from({ length: window }, async () => {
  while (next < n) {
    const i = next++; const ip = ipOf(i); const mac = macOf(i); const at = 1.7e12 + i;
    const t = { at, ip, subnetId: 1, clientKey: `hw:1:${mac}`, xid: i, message: `DHCPREQUEST from ${mac} via 198.18.0.1` };
    rec.record({ ...t, from: 'none', to: 'offered', event: 'lease.offer' });
    rec.record({ ...t, from: 'offered', to: 'bound', event: 'lease.commit' });
    await rec.write([{ kind: 'put', record: { state: 'bound', context: { ip, subnetId: 1, clientKey: `hw:1:${mac}`, hwAddress: mac, offerExpiresAt: 0, boundAt: at, renewAt: at + 1.8e6, rebindAt: at + 3.15e6, expiresAt: at + 3.6e6, graceUntil: 0, probationUntil: 0, changedAt: at }, timers: [{ event: 'xstate.after.renewal.lease.bound', at: at + 1.8e6 }] } }]);
  }
}));
await store.close();
const c = process.cpuUsage(c0); const m = threadCpuUs() - m0;
console.log(JSON.stringify(opts), `${n} writes ${Date.now() - t0} ms: all ${((c.user + c.system) / n).toFixed(2)} us/write, main ${(m / n).toFixed(2)}, other threads ${((c.user + c.system - m) / n).toFixed(2)}`);
for (let r = 0; r < 2; r++) {
  const o0 = Date.now(); const oc = process.cpuUsage(); const rss0 = process.memoryUsage().rss;
  const again = new Level<string, string>(dir, { createIfMissing: true, ...opts });
  await again.open();
  const oc1 = process.cpuUsage(oc);
  console.log(`reopen ${r}: ${Date.now() - o0} ms, cpu ${((oc1.user + oc1.system) / 1000).toFixed(0)} ms, rss +${((process.memoryUsage().rss - rss0) / 1e6).toFixed(0)} MB`);
  await again.close();
}
rmSync(dir, { recursive: true, force: true });
