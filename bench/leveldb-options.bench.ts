// LevelDB's options against the store's write path: N lease writes as ACKs make them (the offer's and the ACK's
// transitions recorded, then the bound record written; 128 writers, so commits gather as under load) on a store
// opened with the given classic-level options, then the process's CPU per write: the main thread's, and the other
// threads' (LevelDB's log write, fsync, memtable flushes and compactions, V8's helpers). Then the time and memory
// of two re-opens (the first replays the log the close left: up to writeBufferSize of it).
// usage: npx tsx bench/leveldb-options.bench.ts [writes=300000] ['{"writeBufferSize":16777216}']
// Alternate option sets in one period: on a shared host separate runs differ by 10-20 %.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { LevelLeaseStore } from '../src/store/level-store.js';
import { HistoryRecorder } from '../src/store/history-recorder.js';
import { threadCpuUs } from './lib/ab-chunks.js';
import { ackWrites } from './lib/ack-writes.js';

const n = Number(process.argv[2] ?? 300000);
const opts = JSON.parse(process.argv[3] ?? '{}') as Record<string, unknown>;
const window = 128;
const dir = mkdtempSync(join(tmpdir(), 'lvl-opt-'));
const db = new Level<string, string>(dir, { createIfMissing: true, ...opts });
const store = new LevelLeaseStore(db);
await store.open();
const rec = new HistoryRecorder(store, () => 64);
const c0 = process.cpuUsage();
const m0 = threadCpuUs();
const t0 = Date.now();
await ackWrites(rec, 0, n, window);
await store.close();
const c = process.cpuUsage(c0);
const m = threadCpuUs() - m0;
console.log(JSON.stringify(opts), `${n} writes ${Date.now() - t0} ms: all ${((c.user + c.system) / n).toFixed(2)} us/write, main ${(m / n).toFixed(2)}, other threads ${((c.user + c.system - m) / n).toFixed(2)}`);
for (let r = 0; r < 2; r++) {
  const o0 = Date.now();
  const oc = process.cpuUsage();
  const rss0 = process.memoryUsage().rss;
  const again = new Level<string, string>(dir, { createIfMissing: true, ...opts });
  await again.open();
  const oc1 = process.cpuUsage(oc);
  console.log(`reopen ${r}: ${Date.now() - o0} ms, cpu ${((oc1.user + oc1.system) / 1000).toFixed(0)} ms, rss +${((process.memoryUsage().rss - rss0) / 1e6).toFixed(0)} MB`);
  await again.close();
}
rmSync(dir, { recursive: true, force: true });
