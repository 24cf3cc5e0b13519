// Preloaded into the daemon (`node --import bench/stalls/probe.mjs`) by bench/stalls/trace.sh: records the event
// loop's delay over time and every GC pause (PerformanceObserver 'gc'), both on the wall clock, and writes them as
// JSON to STALL_OUT when the process exits. Bounded: at most MAX_TICKS ticks and MAX_GC pauses are kept.
import { writeFileSync } from 'node:fs';
import { PerformanceObserver, performance, constants } from 'node:perf_hooks';
import { setInterval } from 'node:timers';

const OUT = process.env.STALL_OUT;
const TICK_MS = Number(process.env.STALL_TICK_MS ?? 5);
const MAX_TICKS = 400_000;
const MAX_GC = 200_000;
const tickAt = new Float64Array(MAX_TICKS);
const tickLag = new Float32Array(MAX_TICKS);
let ticks = 0;
const gcAt = new Float64Array(MAX_GC);
const gcMs = new Float32Array(MAX_GC);
const gcKind = new Uint8Array(MAX_GC);
let gcs = 0;
const origin = performance.timeOrigin;

if (OUT) {
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    if (ticks < MAX_TICKS) {
      tickAt[ticks] = origin + now;
      tickLag[ticks++] = Math.max(0, now - last - TICK_MS);
    }
    last = now;
  }, TICK_MS);
  timer.unref();
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (gcs >= MAX_GC) return;
      gcAt[gcs] = origin + e.startTime;
      gcMs[gcs] = e.duration;
      gcKind[gcs++] = e.detail?.kind ?? 0;
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  process.on('exit', () => {
    const kinds = {
      [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
      [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
      [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
      [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
    };
    writeFileSync(
      OUT,
      JSON.stringify({
        tickMs: TICK_MS,
        // Wall clock minus CLOCK_MONOTONIC (ms), which a V8 .cpuprofile's timestamps count in (µs).
        monotonicToWallMs: Date.now() - Number(process.hrtime.bigint() / 1000n) / 1000,
        ticks: Array.from({ length: ticks }, (_, i) => [tickAt[i], tickLag[i]]),
        gc: Array.from({ length: gcs }, (_, i) => [gcAt[i], gcMs[i], kinds[gcKind[i]] ?? String(gcKind[i])]),
      }),
    );
  });
}
