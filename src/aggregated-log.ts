// Per-packet trouble as operators want it: at most one log line per event and reason per interval, with the count
// since the last line, and never a stack (a stack is for a bug, not for a hostile or broken packet).
import type { Clock, TimerHandle } from './clock.js';
import type { DhcpdError } from './errors.js';
import type { Logger } from './log.js';

export type AggregatedLevel = 'debug' | 'info' | 'warn' | 'error';

export interface AggregatedLogOptions {
  readonly clock: Clock;
  readonly log: Logger;
  /** The shortest time between two lines of one event and reason. */
  readonly intervalMs?: number;
  /** Distinct (event, reason) pairs tracked at once; more are counted under `log.aggregate.overflow`. */
  readonly maxKeys?: number;
}

interface Window {
  readonly evt: string;
  readonly reason: string;
  readonly level: AggregatedLevel;
  readonly msg: string;
  /** Notes since the last line. */
  count: number;
  /** The last note's fields, logged as a sample of what was counted. */
  fields: Readonly<Record<string, unknown>>;
  timer: TimerHandle;
}

export const DEFAULT_AGGREGATE_INTERVAL_MS = 10_000;
export const DEFAULT_AGGREGATE_MAX_KEYS = 1_000;
const OVERFLOW = 'log.aggregate.overflow';

/**
 * The first note of an (event, reason) is logged at once with `count: 1`; notes in the following interval are
 * counted and logged as one line at its end (`count: n`, the last note's fields); a quiet interval closes the window.
 */
export class AggregatedLog {
  private readonly windows = new Map<string, Window>();
  private readonly intervalMs: number;
  private readonly maxKeys: number;

  constructor(private readonly options: AggregatedLogOptions) {
    this.intervalMs = options.intervalMs ?? DEFAULT_AGGREGATE_INTERVAL_MS;
    this.maxKeys = options.maxKeys ?? DEFAULT_AGGREGATE_MAX_KEYS;
  }

  note(level: AggregatedLevel, evt: string, reason: string, msg: string, fields: Readonly<Record<string, unknown>> = {}): void {
    const key = `${evt}\u0000${reason}`;
    const open = this.windows.get(key);
    if (open !== undefined) {
      open.count++;
      open.fields = fields;
      return;
    }
    if (this.windows.size >= this.maxKeys && evt !== OVERFLOW) {
      this.note('warn', OVERFLOW, 'too-many-keys', 'aggregated log: too many distinct events', { evt }); // one key more
      return;
    }
    this.write(level, evt, reason, msg, 1, fields);
    this.windows.set(key, { evt, reason, level, msg, count: 0, fields, timer: this.arm(key) });
  }

  /** Lines for every count not logged yet (at shutdown). */
  flush(): void {
    for (const [key, w] of this.windows) {
      w.timer.cancel();
      if (w.count > 0) this.write(w.level, w.evt, w.reason, w.msg, w.count, w.fields);
      this.windows.delete(key);
    }
  }

  private arm(key: string): TimerHandle {
    return this.options.clock.setTimer(this.intervalMs, () => this.close(key));
  }

  private close(key: string): void {
    const w = this.windows.get(key);
    if (w === undefined) return;
    if (w.count === 0) {
      this.windows.delete(key);
      return;
    }
    this.write(w.level, w.evt, w.reason, w.msg, w.count, w.fields);
    w.count = 0;
    w.timer = this.arm(key);
  }

  private write(level: AggregatedLevel, evt: string, reason: string, msg: string, count: number, fields: Readonly<Record<string, unknown>>): void {
    this.options.log[level]({ ...fields, evt, reason, count, intervalMs: this.intervalMs }, msg);
  }
}

/** An error as a stack-free log field: its type, stable code, message and errno name, when it has one. */
export function briefError(err: DhcpdError): Readonly<Record<string, unknown>> {
  const errno = (err.cause as { code?: unknown } | undefined)?.code;
  return { type: err.name, code: err.code, message: err.message, ...(typeof errno === 'string' ? { errno } : {}) };
}
