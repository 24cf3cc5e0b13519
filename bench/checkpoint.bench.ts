// The periodic checkpoint while serving (src/store/checkpoint.ts): a copy of STORE (a store with its start-up
// snapshot, e.g. one bench/startup.bench.ts filled and kept: STARTUP_DIR/db-v2-N) is loaded from its snapshot, then
// W writers rewrite its leases, one put at a time, as ACKs would. Every K distinct addresses a checkpoint is written.
// Reported: each checkpoint's duration, and the event loop's longest stall and 99th percentile over the whole run,
// beside the same run with checkpoints off (CHECKPOINT=0): what a checkpoint costs the serving thread.
// Bounded: WRITES puts, one temp copy of the store (removed).
// DELTA_SHARE=S: store.checkpoint.deltaShare (default the daemon's: delta sections at 10^6; 0: every checkpoint merges).
// usage: STORE=DIR [WRITES=60000] [CHECKPOINT=20000] [DELTA_SHARE=S] npx tsx bench/checkpoint.bench.ts
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DEFAULT_CHECKPOINT } from '../src/store/checkpoint.js';
import { openLevelStore } from '../src/store/open.js';
import { SNAPSHOT_FILE } from '../src/store/snapshots.js';

const source = process.env.STORE;
if (source === undefined) throw new Error('usage: STORE=DIR [WRITES=60000] [CHECKPOINT=20000] npx tsx bench/checkpoint.bench.ts');
const writes = Number(process.env.WRITES ?? 60_000);
const bound = Number(process.env.CHECKPOINT ?? 20_000);
const deltaShare = Number(process.env.DELTA_SHARE ?? DEFAULT_CHECKPOINT.deltaShare);
const dir = join(mkdtempSync(join(tmpdir(), 'adcheckpoint-')), 'leases');
cpSync(source, dir, { recursive: true });

const checkpoints: { kind: string; seq: number; addresses: number; ms: number }[] = [];
const logger = {
  info: (obj: { evt?: string; kind?: string; seq?: number; addresses?: number; ms?: number }): void => {
    if (obj.evt === 'store.checkpoint.written') checkpoints.push({ kind: obj.kind!, seq: obj.seq!, addresses: obj.addresses!, ms: obj.ms! });
  },
  warn: (obj: object): void => console.warn(JSON.stringify(obj)),
  error: (obj: object): void => console.error(JSON.stringify(obj)),
};
try {
  const store = await openLevelStore(dir, {
    snapshotPath: join(dir, SNAPSHOT_FILE), logger,
    checkpoint: { addresses: bound > 0 ? bound : Number.MAX_SAFE_INTEGER, intervalMs: 0, deltaShare },
  });
  const loaded = await store.loadSnapshot();
  if (!loaded.ok) throw new Error(`the copy did not start from its snapshot (${loaded.reason}): give STORE a store with one`);
  const { ips } = loaded.leases.image();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  // The longest gap between two 1 ms ticks: the event loop's longest stall, as a packet waiting would see it.
  let last = performance.now();
  let longest = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  delay.enable();
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 256 }, async () => {
    while (next < writes) {
      const i = next++;
      const ip = ips[(i * 7919) % ips.length]!;
      await store.write([{ kind: 'put', record: loaded.leases.get(ip)! }]);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  delay.disable();
  clearInterval(tick);
  const closeStart = performance.now();
  await store.close();
  const ms = (n: number): string => (n / 1e6).toFixed(1);
  console.log(`${loaded.leases.size} leases, ${writes} puts in ${seconds.toFixed(1)} s (${(writes / seconds).toFixed(0)}/s), `
    + `checkpoint every ${bound > 0 ? bound : '(off)'} addresses: ${checkpoints.length} written `
    + `(${checkpoints.map((c) => `${c.kind} of ${c.addresses} addresses in ${c.ms} ms`).join(', ') || 'none'}); `
    + `event loop: longest stall ${longest.toFixed(1)} ms, delay p99 ${ms(delay.percentile(99))} ms, max ${ms(delay.max)} ms; `
    + `close ${((performance.now() - closeStart) / 1000).toFixed(2)} s`);
} finally {
  rmSync(dirname(dir), { recursive: true, force: true });
}
