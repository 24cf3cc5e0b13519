// Same-process A/B of the LevelDB store's write path alone: two builds' stores (this checkout's src/ and another
// checkout's), each with its history recorder as the daemon chains them, on LevelDB in temporary directories, driven
// in alternating chunks by the same code. Per lease write as an ACK makes it: the offer's and the ACK's transitions
// recorded, then the bound record written (`window` writers at once, so group commits gather as under load). It
// prints the main thread's and the whole process's CPU per write (the LevelDB worker's write and fsync included in
// the latter). The store's share is a few µs of a DORA, too little to see through the whole server on a loaded host.
// usage: [OTHER_FIRST=1] npx tsx bench/ab-store.bench.ts OTHER_CHECKOUT [chunks=20] [writes per chunk=4000] [window=128]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compareInChunks } from './lib/ab-chunks.js';
import { ackWrites } from './lib/ack-writes.js';

const other = resolve(process.argv[2] ?? '');
const chunks = Number(process.argv[3] ?? 20);
const perChunk = Number(process.argv[4] ?? 4000);
const window = Number(process.argv[5] ?? 128);
const dirs: string[] = [];

async function startFrom(root: string) {
  const load = <M>(p: string): Promise<M> => import(pathToFileURL(join(root, p)).href) as Promise<M>;
  const { openLevelStore } = await load<typeof import('../src/store/open.js')>('src/store/open.ts');
  const { HistoryRecorder } = await load<typeof import('../src/store/history-recorder.js')>('src/store/history-recorder.ts');
  const dir = mkdtempSync(join(tmpdir(), 'ab-store-'));
  dirs.push(dir);
  const store = await openLevelStore(dir);
  // As the daemon's start does: after a whole load the store knows every stored key, and reads none before a write.
  for await (const record of store.loadAll()) void record;
  return { store, recorder: new HistoryRecorder(store, () => 64) };
}

async function chunk(server: Awaited<ReturnType<typeof startFrom>>, from: number): Promise<void> {
  await ackWrites(server.recorder, from, perChunk, window);
}

const servers = await compareInChunks({
  hereRoot: resolve(import.meta.dirname, '..'), otherRoot: other, start: startFrom, run: chunk, chunks, perChunk, unit: 'write', digits: 2,
});
const perCommit = (s: Awaited<ReturnType<typeof startFrom>>) => {
  const { commits, committedWrites } = s.store.commitStats();
  return `${(committedWrites / commits).toFixed(1)} writes per commit`;
};
console.log(`here ${perCommit(servers.here)}, other ${perCommit(servers.other)}`);
await servers.here.store.close();
await servers.other.store.close();
for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
