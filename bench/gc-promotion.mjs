// What the young generation lets through, per DORA: the bytes the scavenger promoted to the old generation (what
// the major GCs then mark and sweep) and the bytes it copied (survivors kept young), with the number of scavenges
// and mark-compacts and their pauses. Runs the in-process bench (bench/inprocess.bench.ts) under V8's --trace-gc-nvp
// with the daemon's heap flags (cli.js's shebang) and sums its lines. Exact counts of a whole run, not samples:
// same-period runs of the same build agreed within ~5 %, where the sampled survivor profile (alloc-profile.mjs with
// ALLOC_SURVIVORS=1) moved by 2x between runs. A mark-compact also takes young objects with it; those are not in
// `promoted` (compare the mark-compact counts too).
// usage: node bench/gc-promotion.mjs [clients=40000] [window=256] [level|memory|null] [checkout=.]
//   e.g. alternate `node bench/gc-promotion.mjs 40000 256 null` with the same in a base checkout (its last argument).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const clients = Number(process.argv[2] ?? 40_000);
const window = process.argv[3] ?? '256';
const store = process.argv[4] ?? 'level';
const checkout = resolve(process.argv[5] ?? '.');

const run = spawnSync(process.execPath, [
  '--max-semi-space-size=32', '--min-semi-space-size=32', '--heap-growing-percent=25', '--trace-gc-nvp',
  '--import', 'tsx', 'bench/inprocess.bench.ts', String(clients), window, store,
], { cwd: checkout, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 600_000 });
if (run.status !== 0) {
  console.error(run.stderr || run.stdout);
  process.exit(1);
}

const totals = { scavenges: 0, scavengeMs: 0, promoted: 0, copied: 0, markCompacts: 0, markCompactMs: 0 };
for (const line of run.stdout.split('\n')) {
  const kind = / gc=(\w+) /.exec(line)?.[1];
  if (kind === undefined) continue;
  const field = (name) => Number(new RegExp(` ${name}=([\\d.]+)`).exec(line)?.[1] ?? 0);
  if (kind === 's') {
    totals.scavenges++;
    totals.scavengeMs += field('pause');
    totals.promoted += field('promoted');
    totals.copied += field('new_space_survived');
  } else if (kind === 'mc') {
    totals.markCompacts++;
    totals.markCompactMs += field('pause');
  }
}
const summary = run.stdout.split('\n').find((l) => l.includes('DORA in')) ?? '';
console.log(`${checkout} (${store}, ${clients} DORAs): promoted ${(totals.promoted / clients).toFixed(0)} B/DORA, ` +
  `copied ${(totals.copied / clients).toFixed(0)} B/DORA; ${totals.scavenges} scavenges (${totals.scavengeMs.toFixed(0)} ms), ` +
  `${totals.markCompacts} mark-compacts (${totals.markCompactMs.toFixed(0)} ms)\n  ${summary}`);
