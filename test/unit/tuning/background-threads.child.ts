// Child of background-threads.test.ts: makes LevelDB start its thread (memtable flushes of a store with a tiny write
// buffer), then nices what backgroundThreads finds and prints, as JSON, each thread's niceness, the threads LevelDB
// started, the members of the process's pools (threads sharing a futex word) and the main thread's niceness.
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClassicLevel } from 'classic-level';
import { backgroundThreads, procTasks } from '../../../src/tuning/background-threads.js';

const tids = (): number[] => readdirSync('/proc/self/task').map(Number).filter((tid) => tid !== process.pid);
/** The niceness: the 17th field after the command's closing parenthesis in /proc/self/task/TID/stat. */
const niceOf = (tid: number): number => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[16]);

function poolMembers(): number[] {
  const byWord = new Map<string, number[]>();
  for (const tid of tids()) {
    const [call, arg] = readFileSync(`/proc/self/task/${tid}/syscall`, 'utf8').split(' ');
    if (call !== '202' && call !== '98') continue;
    const word = (BigInt(arg!) & ~15n).toString(16);
    byWord.set(word, [...(byWord.get(word) ?? []), tid]);
  }
  return [...byWord.values()].filter((members) => members.length > 1).flat();
}

await Promise.all(Array.from({ length: 8 }, () => readFile('/proc/self/status'))); // libuv's pool starts
await sleep(100);
const before = tids();
const dir = mkdtempSync(join(tmpdir(), 'bg-threads-'));
const db = new ClassicLevel<string, string>(join(dir, 'db'), { writeBufferSize: 64 * 1024 });
await db.open();
const value = 'x'.repeat(200);
for (let batch = 0; batch < 40; batch++) {
  await db.batch(Array.from({ length: 500 }, (_, i) => ({ type: 'put' as const, key: `k${batch}-${i}`, value })));
}
await sleep(300);
const started = tids().filter((tid) => !before.includes(tid));
const threads = backgroundThreads(procTasks(false))!;
for (let i = 0; i < 3; i++) {
  threads.scan();
  await sleep(20);
}
const found = threads.setNice(10);
const report = {
  main: Number(readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /s, '').split(' ')[16]),
  before, started, found, pools: poolMembers(),
  niceOf: Object.fromEntries(tids().map((tid) => [tid, niceOf(tid)])),
};
await db.close();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(JSON.stringify(report));
