// The same-process A/B both ab-*.bench.ts scripts run: two builds (this checkout and another) started in the order
// OTHER_FIRST says, warmed up, then driven in alternating chunks (which goes first alternates too, so neither always
// follows the other's garbage), with the process's and the main thread's CPU charged to the build that ran.
import { readFileSync } from 'node:fs';

export interface AbOptions<S> {
  readonly hereRoot: string;
  readonly otherRoot: string;
  /** Starts one build's subject from its checkout. */
  readonly start: (root: string) => Promise<S>;
  /** Drives `count` operations numbered from `from` through the subject. */
  readonly run: (subject: S, from: number) => Promise<void>;
  readonly chunks: number;
  readonly perChunk: number;
  /** What one operation is called in the print ("DORA", "write"), and the decimals of its µs. */
  readonly unit: string;
  readonly digits: number;
}

/** The main thread's own CPU so far (µs), from /proc: Linux only. */
export function threadCpuUs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10_000;
}

/** Runs the comparison, prints it, and returns both subjects (for the caller to stop). */
export async function compareInChunks<S>(options: AbOptions<S>): Promise<{ here: S; other: S }> {
  const { hereRoot, otherRoot, start, run, chunks, perChunk, unit, digits } = options;
  const otherFirst = process.env['OTHER_FIRST'] === '1';
  const started = otherFirst ? [await start(otherRoot), await start(hereRoot)] : [await start(hereRoot), await start(otherRoot)];
  const subjects = otherFirst ? { here: started[1]!, other: started[0]! } : { here: started[0]!, other: started[1]! };
  const totals = { here: { all: 0, main: 0, n: 0 }, other: { all: 0, main: 0, n: 0 } };
  // Warm-up: both compiled and their tables grown before anything counts.
  await run(subjects.here, 0);
  await run(subjects.other, 0);
  for (let c = 1; c <= chunks; c++) {
    const order: readonly ('here' | 'other')[] = c % 2 === 0 ? ['here', 'other'] : ['other', 'here'];
    for (const name of order) {
      const cpu0 = process.cpuUsage();
      const main0 = threadCpuUs();
      await run(subjects[name], c * perChunk);
      const cpu = process.cpuUsage(cpu0);
      totals[name].all += cpu.user + cpu.system;
      totals[name].main += threadCpuUs() - main0;
      totals[name].n += perChunk;
    }
  }
  const per = (t: { all: number; main: number; n: number }) =>
    `${(t.all / t.n).toFixed(digits)} us/${unit} all threads, ${(t.main / t.n).toFixed(digits)} main thread`;
  console.log(`here  (${hereRoot}): ${per(totals.here)}`);
  console.log(`other (${otherRoot}): ${per(totals.other)}`);
  console.log(`here / other: ${(totals.here.all / totals.other.all).toFixed(3)} all threads, ${(totals.here.main / totals.other.main).toFixed(3)} main thread (${chunks} chunks of ${perChunk} each)`);
  return subjects;
}
