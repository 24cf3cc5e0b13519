// Start-up after a kill -9 from the snapshot and its commit journal: a child process starts from the snapshot of a
// copy of STORE (a store with a snapshot, e.g. one startup-daemon.mjs's runs left, or filled and stopped once),
// rewrites K stored leases (K journalled commits' worth of addresses), and SIGKILLs itself; then the time to open the
// store and load it (the snapshot read, K addresses read again from LevelDB), in process, and the RSS after.
// With CHECKPOINT=N the child writes a checkpoint whenever its journal names N addresses (src/store/checkpoint.ts), as
// the daemon does (store.checkpoint): the start then reads back at most about that many, however large K is.
// Bounded: one temp copy of the store (removed), one child, K writes.
// usage: npm run build && STORE=DIR [CHECKPOINT=N] [RATE=writes/s] node bench/startup-replay.mjs [K=10000]
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const { openLevelStore } = await import(join(repo, 'dist/src/store/open.js'));
const { DEFAULT_CHECKPOINT } = await import(join(repo, 'dist/src/store/checkpoint.js'));
const [kArg = '10000', childDir] = process.argv.slice(2);
const K = Number(kArg);

async function crashAfterWrites(dir) {
  const bound = Number(process.env.CHECKPOINT ?? 0);
  const checkpoints = [];
  const logger = {
    info: (obj) => void (obj.evt === 'store.checkpoint.written' && checkpoints.push(`${obj.kind} of ${obj.addresses} in ${obj.ms} ms`)),
    warn: (obj) => console.warn(JSON.stringify(obj)),
    error: (obj) => console.error(JSON.stringify(obj)),
  };
  const store = await openLevelStore(dir, {
    snapshotPath: join(dir, 'lease-snapshot.bin'), maxBatch: 1000, logger,
    checkpoint: { ...DEFAULT_CHECKPOINT, addresses: bound > 0 ? bound : Number.MAX_SAFE_INTEGER, intervalMs: 0 },
  });
  const loaded = await store.loadSnapshot();
  if (!loaded.ok) throw new Error(`the copy did not start from its snapshot (${loaded.reason}): give STORE a store with one`);
  const { ips } = loaded.leases.image();
  // RATE=N: N rewrites a second, 1,000 at a time, as a daemon's steady renewals (default: all at once).
  const rate = Number(process.env.RATE ?? 0);
  const started = performance.now();
  for (let done = 0; done < K;) {
    const writes = [];
    const end = rate > 0 ? Math.min(K, done + 1000) : K;
    for (; done < end; done++) writes.push(store.write([{ kind: 'put', record: loaded.leases.get(ips[(done * 97) % ips.length]) }]));
    await Promise.all(writes);
    const due = started + (done / rate) * 1000;
    if (rate > 0 && due > performance.now()) await new Promise((resolve) => setTimeout(resolve, due - performance.now()));
  }
  console.log(`child: ${K} rewrites acknowledged, ${checkpoints.length} checkpoints written (${checkpoints.join(', ') || 'none'}); SIGKILL`);
  process.kill(process.pid, 'SIGKILL');
}

if (childDir !== undefined) {
  await crashAfterWrites(childDir);
} else {
  if (process.env.STORE === undefined) throw new Error('usage: STORE=DIR node bench/startup-replay.mjs [K]');
  const dir = join(mkdtempSync(join(tmpdir(), 'adreplay-')), 'leases');
  try {
    cpSync(process.env.STORE, dir, { recursive: true });
    spawnSync(process.execPath, [fileURLToPath(import.meta.url), kArg, dir], { stdio: 'inherit' });
    const started = performance.now();
    const store = await openLevelStore(dir, { snapshotPath: join(dir, 'lease-snapshot.bin') });
    const loaded = await store.loadSnapshot();
    const ms = performance.now() - started;
    console.log(`start after kill -9 with ${K} leases rewritten: ${loaded.ok ? `${loaded.leases.size} leases from the snapshot, ${loaded.delta ?? 0} from its delta file, ${loaded.replayed} addresses replayed` : `not from the snapshot (${loaded.reason})`} `
      + `in ${(ms / 1000).toFixed(2)} s (open + load, in process), RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
    await store.close();
  } finally {
    rmSync(dirname(dir), { recursive: true, force: true });
  }
}
