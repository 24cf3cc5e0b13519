// Micro benchmark of the LevelDB lease store: group-commit write throughput and loadAll time.
// Run: node --import tsx bench/store.bench.ts [writes=20000] [callers=512] [loadRecords=200000]
// Bounded: fixed counts, one temp directory removed at the end.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Level } from 'level';
import type { LeaseRecord } from '../machines/lease.types.js';
import { openLevelStore } from '../src/store/open.js';
import { makeRecord } from '../test/unit/store/helpers.js';

const [writesArg, callersArg, loadArg] = process.argv.slice(2);
const WRITES = Number(writesArg ?? 20_000);
const CALLERS = Number(callersArg ?? 512);
const LOAD_RECORDS = Number(loadArg ?? 200_000);

function ipOf(i: number): string {
  const n = (198 << 24) + (18 << 16) + i; // 198.18.0.0/15 holds 131072; larger runs spill past it harmlessly
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

function record(i: number): LeaseRecord {
  const mac = (i + 0x1000000).toString(16).slice(-6).match(/../g)?.join(':') ?? '00:00:00';
  return makeRecord(ipOf(i), `hw:1:02:00:00:${mac}`, { hostname: `host-${i}` });
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function writeBench(dir: string, maxBatch: number, commitIntervalMs: number): Promise<void> {
  const store = await openLevelStore(dir, { maxBatch, commitIntervalMs });
  const latencies: number[] = [];
  let next = 0;
  const caller = async (): Promise<void> => {
    while (next < WRITES) {
      const i = next++;
      const started = performance.now();
      await store.write([{ kind: 'put', record: record(i) }]);
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CALLERS }, caller));
  const seconds = (performance.now() - started) / 1000;
  const { commits } = store.health();
  await store.close();
  latencies.sort((a, b) => a - b);
  console.log(
    `write  maxBatch=${maxBatch} interval=${commitIntervalMs}ms: ${Math.round(WRITES / seconds)} puts/s, ` +
      `${Math.round(commits / seconds)} commits/s, ${(WRITES / commits).toFixed(0)} puts/commit, ` +
      `latency p50 ${percentile(latencies, 50).toFixed(1)} ms p99 ${percentile(latencies, 99).toFixed(1)} ms`,
  );
}

async function loadBench(dir: string): Promise<void> {
  const store = await openLevelStore(dir, { maxBatch: 5000 });
  const fillStarted = performance.now();
  for (let i = 0; i < LOAD_RECORDS; i += 5000) {
    const chunk = Array.from({ length: Math.min(5000, LOAD_RECORDS - i) }, (_, j) => record(i + j));
    await store.write(chunk.map((r) => ({ kind: 'put' as const, record: r })));
  }
  const fillSeconds = (performance.now() - fillStarted) / 1000;
  await store.close();

  const raw = new Level<string, string>(dir);
  const rawStarted = performance.now();
  let rawCount = 0;
  // The same scan loadAll does (1 MiB chunks, 1000 entries per nextv), without decoding: the LevelDB share.
  const iterator = raw.sublevel('lease').iterator({ highWaterMarkBytes: 1 << 20 } as object);
  for (let entries = await iterator.nextv(1000); entries.length > 0; entries = await iterator.nextv(1000)) {
    rawCount += entries.length;
  }
  await iterator.close();
  const rawSeconds = (performance.now() - rawStarted) / 1000;
  await raw.close();

  const reopened = await openLevelStore(dir);
  const started = performance.now();
  let count = 0;
  for await (const lease of reopened.loadAll()) count += lease.context.subnetId === 1 ? 1 : 0;
  const seconds = (performance.now() - started) / 1000;
  await reopened.close();
  console.log(
    `load   ${count} leases: loadAll ${seconds.toFixed(2)} s (${Math.round(count / seconds)}/s); ` +
      `raw value scan ${rawSeconds.toFixed(2)} s for ${rawCount}; fill ${fillSeconds.toFixed(1)} s in 5000-lease batches`,
  );
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'dhcpd-store-bench-'));
  try {
    console.log(`node ${process.version}, ${WRITES} writes by ${CALLERS} concurrent callers, sync batches`);
    let run = 0;
    for (const [maxBatch, interval] of [[1000, 0], [256, 0], [1000, 2]] as const) {
      await writeBench(join(root, `w${run++}`), maxBatch, interval);
    }
    await loadBench(join(root, 'load'));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
