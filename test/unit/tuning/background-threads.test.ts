// The storage engine's threads: told from V8's and libuv's pools by the futex their members share, niced when the
// tuner says so, new ones found later niced as they are found, ended ones forgotten. The last test runs the real
// thing in a child process: LevelDB's own thread is niced, and no pool thread nor the main thread is.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { backgroundThreads, type TaskSource } from '../../../src/tuning/background-threads.js';

const FUTEX = '202';

/** Threads by id: the syscall each sleeps in and its argument (a futex word's address), as /proc shows them. */
function tasks(initial: Record<number, readonly [string, string]>) {
  const calls = new Map<number, readonly [string, string]>(Object.entries(initial).map(([tid, call]) => [Number(tid), call]));
  const niced = new Map<number, number>();
  const source: TaskSource = {
    mainTid: 100,
    tids: () => [100, ...calls.keys()],
    syscall: (tid) => calls.get(tid),
    setNice: (tid, nice) => {
      if (!calls.has(tid)) throw Object.assign(new Error('no such thread'), { info: { code: 'ESRCH' } });
      niced.set(tid, nice);
    },
  };
  return { source, calls, niced };
}

const POOLS = {
  // V8's workers: one condition variable's word (addresses within 16 bytes)
  101: [FUTEX, '0x7f0000001000'], 102: [FUTEX, '0x7f0000001004'], 103: [FUTEX, '0x7f0000001000'],
  // libuv's pool
  104: [FUTEX, '0x7f0000002000'], 105: [FUTEX, '0x7f0000002000'],
} as const;

describe('the storage engine\'s threads', () => {
  it('nices the threads outside both pools once each was seen alone three times, never the main thread', () => {
    const { source, niced } = tasks({ ...POOLS, 106: [FUTEX, '0x7f0000003000'], 107: ['232', '0x5'] });
    const threads = backgroundThreads(source, 'x64')!;
    expect(threads.setNice(10)).toBe(0);
    threads.scan();
    threads.scan();
    expect(niced.size).toBe(0);
    threads.scan(); // LevelDB's thread (106) and a helper asleep in epoll_wait (107)
    expect([...niced.entries()]).toEqual([[106, 10], [107, 10]]);
    expect(threads.setNice(0)).toBe(2);
    expect([...niced.entries()]).toEqual([[106, 0], [107, 0]]);
  });

  it('never nices a pool thread that was running at a scan, once it was seen with its pool', () => {
    const { source, calls, niced } = tasks({ ...POOLS });
    calls.set(103, ['running', '0x0']);
    const threads = backgroundThreads(source, 'x64')!;
    threads.setNice(10);
    threads.scan(); // 103 runs: not yet known as a pool's
    calls.set(103, [FUTEX, '0x7f0000001008']);
    threads.scan();
    calls.set(103, ['running', '0x0']);
    for (let i = 0; i < 5; i++) threads.scan();
    expect(niced.size).toBe(0);
  });

  it('nices a thread that starts later at the niceness in force, and forgets one that ended', () => {
    const { source, calls, niced } = tasks({ ...POOLS });
    const threads = backgroundThreads(source, 'x64')!;
    threads.setNice(10);
    for (let i = 0; i < 3; i++) threads.scan();
    calls.set(108, [FUTEX, '0x7f0000009000']); // the first compaction starts LevelDB's thread
    for (let i = 0; i < 3; i++) threads.scan();
    expect(niced.get(108)).toBe(10);
    calls.delete(108);
    expect(threads.setNice(0)).toBe(0);
  });

  it('is not there without /proc or on an architecture it does not know', () => {
    expect(backgroundThreads(undefined)).toBeUndefined();
    expect(backgroundThreads(tasks({}).source, 'ppc64')).toBeUndefined();
  });

  it('nices LevelDB\'s own thread in a real process, and none of V8\'s or libuv\'s', () => {
    const child = fileURLToPath(new URL('./background-threads.child.ts', import.meta.url));
    const result = spawnSync(process.execPath, ['--import', 'tsx', child], { encoding: 'utf8', timeout: 60_000 });
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { main: number; started: number[]; found: number; pools: number[]; niceOf: Record<string, number> };
    expect(report.started.length).toBeGreaterThan(0); // the thread(s) LevelDB started for its flushes
    for (const tid of report.started) expect(report.niceOf[tid]).toBe(10);
    expect(report.found).toBeGreaterThanOrEqual(report.started.length);
    expect(report.pools.length).toBeGreaterThanOrEqual(2); // V8's workers and libuv's pool
    for (const tid of report.pools) expect(report.niceOf[tid]).toBe(0);
    expect(report.main).toBe(0);
  }, 90_000);
});
