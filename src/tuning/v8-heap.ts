// The old generation's growth between mark-compacts, as a knob adaptive tuning may turn. cli.js's shebang starts V8
// with a small fixed growth (--heap-growing-percent=25, docs/security.md): promoted garbage is collected before it
// adds pages. Under a sustained overload, though, lost exchanges promote 4-5x more per DORA (offers never requested,
// their transitions) and the resulting major GCs (their pauses and V8's marking workers) take the pinned core from
// the requests. V8 reads the flag at each mark-compact's limit computation, so a change made here applies from the
// next one on; the limit then falls back by itself at the first mark-compact after the value is restored.
import { setFlagsFromString } from 'node:v8';

export interface HeapGrowth {
  /** The percent the process started with (what calm load returns to). */
  readonly startPercent: number;
  setPercent(percent: number): void;
}

const FLAG = /^--heap[-_]growing[-_]percent=(\d+)$/;

/**
 * The process's heap growth, when it started with a fixed one: without the flag V8 sizes the old generation by its
 * own dynamic factor (1.1-4x), which nothing here should override.
 */
export function v8HeapGrowth(execArgv: readonly string[] = process.execArgv): HeapGrowth | undefined {
  let startPercent: number | undefined;
  for (const arg of execArgv) {
    const match = FLAG.exec(arg);
    if (match !== null) startPercent = Number(match[1]); // the last one given is V8's
  }
  if (startPercent === undefined || startPercent === 0) return undefined;
  return { startPercent, setPercent: (percent) => setFlagsFromString(`--heap-growing-percent=${percent}`) };
}
