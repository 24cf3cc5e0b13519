// The storage engine's own threads, as a knob adaptive tuning may turn: their niceness. LevelDB compacts its files on
// a thread of its own, in bursts of hundreds of ms, and on a host where the daemon shares one core (as in the
// benchmark, pinned) each burst halves the main thread's share: the DISCOVER lane then overflows while the core is
// still 15-20 % idle on average. At a niceness of 10 a burst takes ~10 % of a contended core instead of half, and
// runs in full in the idle time (bench/README.md, eleventh round: every step to 23,000 DORA/s passed where 21,000
// failed). Under a sustained overload there is no idle time, so the tuner gives the threads their share back there:
// a compaction that falls behind stalls LevelDB's writes, and with them every ACK.
//
// Which threads: those outside the process's two thread pools. V8's platform workers and libuv's pool each wait on
// one condition variable (the futex address in /proc/self/task/TID/syscall, shared by the pool's members); the
// threads left besides the main one are LevelDB's background thread and node's idle helpers (which a niceness does
// not change). Linux only; elsewhere, or without /proc, there is nothing to turn. Nor without the right to raise a
// thread's priority back (CAP_SYS_NICE, which root has): niced threads could not get their share back under overload.
import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';

export interface BackgroundThreads {
  /** Sets the niceness of the threads found so far and of those found from now on; returns how many have it. */
  setNice(nice: number): number;
  /** Looks for new threads (the tuner calls it each interval: LevelDB starts its thread at the first compaction). */
  scan(): void;
}

/** futex(2)'s number in /proc/self/task/TID/syscall's first field, by architecture. */
const FUTEX_SYSCALL: Partial<Record<string, string>> = { x64: '202', arm64: '98' };
/** Scans a thread must be seen outside every pool before it counts as one of the storage engine's. */
const SEEN_ALONE = 3;

export interface TaskSource {
  /** The main thread's id (the process id). */
  readonly mainTid: number;
  tids(): readonly number[];
  /** The first two fields of /proc/self/task/TID/syscall (number, first argument), or undefined. */
  syscall(tid: number): readonly [string, string] | undefined;
  setNice(tid: number, nice: number): void;
}

/** CAP_SYS_NICE's bit in /proc/self/status's CapEff. */
const CAP_SYS_NICE = 23n;

/**
 * The process's own threads, from /proc/self; undefined where there is no such directory or (unless told not to
 * ask: a test that only nices) no CAP_SYS_NICE.
 */
export function procTasks(needRaise = true): TaskSource | undefined {
  try {
    const effective = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (needRaise && (effective === undefined || ((BigInt(`0x${effective}`) >> CAP_SYS_NICE) & 1n) === 0n)) return undefined;
    readdirSync('/proc/self/task');
  } catch {
    return undefined;
  }
  return {
    mainTid: process.pid,
    tids: () => readdirSync('/proc/self/task').map(Number),
    syscall: (tid) => {
      try {
        const [number, arg] = readFileSync(`/proc/self/task/${tid}/syscall`, 'utf8').split(' ');
        return number === undefined || arg === undefined ? undefined : [number, arg];
      } catch {
        return undefined; // the thread ended
      }
    },
    setNice: (tid, nice) => setPriority(tid, nice),
  };
}

/** `tasks`: procTasks() in the daemon. */
export function backgroundThreads(tasks: TaskSource | undefined, arch: string = process.arch): BackgroundThreads | undefined {
  const futex = FUTEX_SYSCALL[arch];
  if (tasks === undefined || futex === undefined) return undefined;
  const pooled = new Set<number>();
  const aloneScans = new Map<number, number>();
  const found = new Set<number>();
  let nice = 0;
  const forgetEnded = (alive: ReadonlySet<number>): void => {
    for (const known of [pooled, found]) for (const tid of known) if (!alive.has(tid)) known.delete(tid);
    for (const tid of aloneScans.keys()) if (!alive.has(tid)) aloneScans.delete(tid);
  };
  const apply = (tid: number): void => {
    try {
      tasks.setNice(tid, nice);
    } catch (error) {
      // os.setPriority throws a SystemError whose `info.code` is the errno's name.
      if ((error as { info?: { code?: string } }).info?.code === 'ESRCH') found.delete(tid); // ended since
    }
  };
  const scan = (): void => {
    const byFutex = new Map<string, number[]>();
    const tids = tasks.tids().filter((tid) => tid !== tasks.mainTid);
    for (const tid of tids) {
      const call = tasks.syscall(tid);
      if (call === undefined || call[0] !== futex || !/^0x[0-9a-f]+$/.test(call[1])) continue;
      // A condition variable's waiters sleep on one of its words: the address to 16 bytes is the pool's.
      const key = (BigInt(call[1]) & ~15n).toString(16);
      const members = byFutex.get(key);
      if (members === undefined) byFutex.set(key, [tid]);
      else members.push(tid);
    }
    for (const members of byFutex.values()) if (members.length > 1) for (const tid of members) pooled.add(tid);
    forgetEnded(new Set(tids));
    for (const tid of tids) {
      if (pooled.has(tid) || found.has(tid)) continue;
      const seen = (aloneScans.get(tid) ?? 0) + 1;
      aloneScans.set(tid, seen);
      if (seen < SEEN_ALONE) continue;
      found.add(tid);
      aloneScans.delete(tid);
      if (nice !== 0) apply(tid);
    }
  };
  return {
    scan,
    setNice: (next) => {
      nice = next;
      for (const tid of [...found]) apply(tid);
      return found.size;
    },
  };
}
