// One shared schedule for every lease timer (not one setTimeout per lease): a min-heap of deadlines, fired in
// bounded slices so that mass expiry never blocks packet handling for long.
import type { Clock, TimerHandle } from '../clock.js';

export interface ScheduledTimer {
  readonly at: number;
  readonly key: string;
  readonly event: string;
}

export interface ExpiryScheduleOptions {
  readonly clock: Clock;
  /** Called for each due timer; the owner checks the timer is still current (entries are never removed early). */
  readonly fire: (timer: ScheduledTimer) => void;
  /** Timers fired per slice before yielding to the event loop. */
  readonly sliceSize?: number;
  /** Yields between slices (setImmediate in the daemon, synchronous in tests). */
  readonly yieldFn?: (next: () => void) => void;
  /**
   * Whether a timer is still its lease's. With it, entries that went stale (an offer withdrawn, renewed or taken
   * before its hold ran out) are swept out once they make up half the schedule: under a DISCOVER flood every
   * offer leaves one, and they would otherwise pile up for the whole hold (rate × offerHoldSeconds entries).
   */
  readonly isCurrent?: (timer: ScheduledTimer) => boolean;
}

/**
 * Timers due at the same moment fire in the order of their keys (the address's text), however they were added: a
 * book that restored its leases as records and one that loaded them packed (their timers parked, then moved in)
 * change them in the same order.
 */
function firesBefore(a: ScheduledTimer, b: ScheduledTimer): boolean {
  return a.at < b.at || (a.at === b.at && a.key < b.key);
}

/** Below this many entries the schedule is never swept (a sweep costs a pass over it). */
const MIN_SWEEP = 1024;

export class ExpirySchedule {
  private heap: ScheduledTimer[] = [];
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private draining = false;
  private sweepAt = MIN_SWEEP;

  constructor(private readonly options: ExpiryScheduleOptions) {}

  get size(): number {
    return this.heap.length;
  }

  add(timer: ScheduledTimer): void {
    this.push(timer);
    if (this.heap.length >= this.sweepAt) this.sweep();
    if (!this.draining && timer.at < this.timerAt) this.arm();
  }

  /** Fires up to `limit` due timers now, ahead of the next slice. */
  fireDue(limit: number): void {
    const now = this.options.clock.now();
    for (let fired = 0; fired < limit && this.heap[0] !== undefined && this.heap[0].at <= now; fired++) {
      this.options.fire(this.pop());
    }
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAt = Infinity;
    this.heap.length = 0;
  }

  private arm(): void {
    this.timer?.cancel();
    const first = this.heap[0];
    if (first === undefined) {
      this.timer = undefined;
      this.timerAt = Infinity;
      return;
    }
    this.timerAt = first.at;
    this.timer = this.options.clock.setTimer(first.at - this.options.clock.now(), () => this.drain());
  }

  private drain(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    this.draining = true;
    const now = this.options.clock.now();
    const slice = this.options.sliceSize ?? 256;
    let fired = 0;
    try {
      while (fired < slice && this.heap[0] !== undefined && this.heap[0].at <= now) {
        this.options.fire(this.pop());
        fired++;
      }
    } finally {
      // Even when a fire throws: else `draining` stays set, nothing re-arms, and every later timer is lost.
      this.draining = false;
      this.next(now);
    }
  }

  private next(now: number): void {
    const first = this.heap[0];
    if (first !== undefined && first.at <= now) {
      const yieldFn = this.options.yieldFn ?? ((next: () => void) => setImmediate(next));
      this.timerAt = -Infinity; // a drain is already queued: adds must not arm another one
      yieldFn(() => this.drain());
    } else {
      this.arm();
    }
  }

  /** Drops stale entries; a sorted array is a valid min-heap. Amortized O(log n) per add (at most every n/2 adds). */
  private sweep(): void {
    const isCurrent = this.options.isCurrent;
    if (isCurrent !== undefined) {
      // Replaced, not refilled with push(...current): spreading 10^6 entries overflows the call stack.
      this.heap = this.heap.filter(isCurrent).sort((a, b) => (firesBefore(a, b) ? -1 : firesBefore(b, a) ? 1 : 0));
    }
    this.sweepAt = Math.max(MIN_SWEEP, this.heap.length * 2);
  }

  private push(timer: ScheduledTimer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!firesBefore(timer, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = timer;
  }

  private pop(): ScheduledTimer {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) break;
      const r = l + 1;
      const child = r < heap.length && firesBefore(heap[r]!, heap[l]!) ? r : l;
      if (!firesBefore(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
