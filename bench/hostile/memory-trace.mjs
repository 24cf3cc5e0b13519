// A preload that samples a daemon's memory by space every second, appending one JSON line to $MEM_TRACE: RSS; per V8
// space [used, physical] MB (used ≈ physical minus garbage waiting for a mark-compact); the brk heap (glibc's main
// arena), the resident part of glibc's thread arenas (anonymous maps aligned to their 64 MB heaps) and of all
// anonymous maps; and the GC pauses since the last line (count, total and longest ms, and each one over 20 ms as
// [kind, ms]: 1 scavenge, 4 mark-compact). Only in a process whose argv names cli.js, so it can ride NODE_OPTIONS
// through a test run without tracing vitest or the generator:
//   MEM_TRACE=/tmp/trace.jsonl NODE_OPTIONS="--import $PWD/bench/hostile/memory-trace.mjs" HOSTILE_COUNT=200000 \
//     npx vitest run test/integration/hostile.test.ts -t garbage
import { appendFileSync, readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { setInterval } from 'node:timers';
import { getHeapSpaceStatistics } from 'node:v8';

const ARENA_HEAP = 64n << 20n;
const mb = (bytes) => Math.round(bytes / 1048576);

/** Resident MB of the brk heap, the thread arenas and all anonymous maps, from /proc/self/smaps. */
function resident() {
  const kb = { brk: 0, arenas: 0, anon: 0 };
  let name = '';
  let arena = false;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (m !== null) {
      name = m[4];
      const start = BigInt(`0x${m[1]}`);
      arena = name === '' && m[3] === 'rw-p' && start % ARENA_HEAP === 0n && BigInt(`0x${m[2]}`) - start <= ARENA_HEAP;
    } else if (line.startsWith('Rss:')) {
      const n = Number(line.split(/\s+/)[1]);
      if (name === '[heap]') kb.brk += n;
      if (name === '') kb.anon += n;
      if (arena) kb.arenas += n;
    }
  }
  return { brk: Math.round(kb.brk / 1024), arenas: Math.round(kb.arenas / 1024), anon: Math.round(kb.anon / 1024) };
}

if (process.argv.some((a) => a.endsWith('cli.js')) && process.env.MEM_TRACE) {
  const out = process.env.MEM_TRACE;
  const pauses = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push([e.detail?.kind ?? 0, Math.round(e.duration)]);
  }).observe({ entryTypes: ['gc'] });
  const t0 = Date.now();
  setInterval(() => {
    const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name.replace('_space', ''), [mb(s.space_used_size), mb(s.physical_space_size)]]));
    const gc = pauses.splice(0);
    const line = {
      t: Math.round((Date.now() - t0) / 1000), rss: mb(process.memoryUsage.rss()), spaces, ...resident(),
      gcCount: gc.length, gcMs: gc.reduce((a, [, ms]) => a + ms, 0), gcMaxMs: Math.max(0, ...gc.map(([, ms]) => ms)),
      gcOver20: gc.filter(([, ms]) => ms > 20),
    };
    appendFileSync(out, `${JSON.stringify(line)}\n`);
  }, 1_000).unref();
}
