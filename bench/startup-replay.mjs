// Start-up after a kill -9 from the snapshot and its commit journal: a child process starts from the snapshot of a
// copy of STORE (a store with a snapshot, e.g. one startup-daemon.mjs's runs left, or filled and stopped once),
// rewrites K stored leases (K journalled commits' worth of addresses), and SIGKILLs itself; then the time to open the
// store and load it (the snapshot read, K addresses read again from LevelDB), in process, and the RSS after.
// Bounded: one temp copy of the store (removed), one child, K writes.
// usage: npm run build && STORE=DIR node bench/startup-replay.mjs [K=10000]
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const { openLevelStore } = await import(join(repo, 'dist/src/store/open.js'));
const [kArg = '10000', childDir] = process.argv.slice(2);
const K = Number(kArg);

async function crashAfterWrites(dir) {
  const store = await openLevelStore(dir, { snapshotPath: join(dir, 'lease-snapshot.bin'), maxBatch: 1000 });
  const loaded = await store.loadSnapshot();
  if (!loaded.ok) throw new Error(`the copy did not start from its snapshot (${loaded.reason}): give STORE a store with one`);
  const { ips } = loaded.leases.image();
  const writes = [];
  for (let i = 0; i < K; i++) writes.push(store.write([{ kind: 'put', record: loaded.leases.get(ips[(i * 97) % ips.length]) }]));
  await Promise.all(writes);
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
    console.log(`start after kill -9 with ${K} leases rewritten: ${loaded.ok ? `${loaded.leases.size} leases from the snapshot, ${loaded.replayed} addresses replayed` : `not from the snapshot (${loaded.reason})`} `
      + `in ${(ms / 1000).toFixed(2)} s (open + load, in process), RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
    await store.close();
  } finally {
    rmSync(dirname(dir), { recursive: true, force: true });
  }
}
