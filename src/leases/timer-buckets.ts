// Lease timers due far ahead wait in one-minute buckets of addresses (8 bytes each) instead of one schedule entry
// per timer (~60 bytes, and a heap push each): after a restart with 10^6 leases, the precise expiry schedule holds
// only the timers of the next minute or two. A bucket opens a whole minute before its timers fall due and moves its
// addresses into the schedule in slices, so 10^5 leases expiring in the same second never stall the event loop.
import type { Clock, TimerHandle } from '../clock.js';
import { intToIp } from '../codec/index.js';
import type { LeaseTimer } from '../../machines/lease.types.js';
import { TIMER_BUCKET_MS, timerBucketOf } from '../lease-columns/table-indexes.js';
import type { ExpirySchedule } from './expiry-schedule.js';

export const BUCKET_MS = TIMER_BUCKET_MS;
/** Addresses moved into the schedule per slice before yielding to the event loop. */
const SLICE = 2048;

export interface TimerBucketsOptions {
  readonly clock: Clock;
  readonly schedule: ExpirySchedule;
  /** The address's current timers; undefined when it has no lease any more. */
  readonly timersOf: (ip: number) => readonly LeaseTimer[] | undefined;
  readonly yieldFn?: (next: () => void) => void;
}

/** A bucket's addresses: a typed array grown by doubling (a number[] grown by push left its old backing stores in the
 * old generation, ~95 bytes per lease parked by the survivor profile), `count` of it in use. */
interface Parked {
  ips: Uint32Array;
  count: number;
}

interface OpenBucket {
  readonly bucket: number;
  readonly parked: Parked;
  next: number;
}

const FIRST_ROOM = 64;

const bucketOf = timerBucketOf;

/**
 * What `addEarliest` takes for a lease's timer list: the earliest deadline, Infinity for none, NaN when one is not
 * finite (as a packed table reports it: packed-leases.ts, `forEachIndexed`).
 */
export function earliestOf(timers: readonly LeaseTimer[]): number {
  let earliest = Infinity;
  for (let i = 0; i < timers.length; i++) {
    const at = timers[i]!.at;
    earliest = Number.isFinite(at) ? Math.min(earliest, at) : Number.NaN;
  }
  return earliest;
}

export class TimerBuckets {
  private readonly buckets = new Map<number, Parked>();
  /** The first bucket not opened yet: every timer due before it is in the precise schedule. */
  private frontier: number;
  private timer: TimerHandle | undefined;
  private timerBucket = Infinity;
  private readonly opening: OpenBucket[] = [];
  private moving = false;
  private held = false;

  constructor(private readonly options: TimerBucketsOptions) {
    this.frontier = bucketOf(options.clock.now()) + 2;
  }

  /**
   * Schedules a lease's timers: those due before the frontier precisely, and only the first later one in its bucket
   * (the next ones follow when that bucket opens). `key` is the address's dotted form when the caller has it.
   */
  add(ip: number, timers: readonly LeaseTimer[], key?: string): void {
    let later = Infinity;
    for (const timer of timers) {
      // Non-finite deadlines go to the schedule as they always did (it never fires them).
      if (!(bucketOf(timer.at) >= this.frontier) || !Number.isFinite(timer.at)) {
        this.options.schedule.add({ at: timer.at, key: key ?? intToIp(ip), event: timer.event });
      } else if (timer.at < later) {
        later = timer.at;
      }
    }
    if (later !== Infinity) this.park(ip, bucketOf(later));
  }

  /**
   * As `add`, for a lease whose earliest timer is known without its list (a table loaded whole): parked in its
   * bucket, it costs no timer objects until the bucket opens. A timer already due or due within the frontier is
   * parked too, in a bucket that opens at once and moves into the schedule a slice at a time: a table whose every
   * lease fell due while the daemon was down (10^6 leases past T1 after 12 h) made one schedule entry per lease
   * before serving, 0.9 s and ~130 MB more at start.
   */
  addEarliest(ip: number, earliest: number): void {
    if (earliest === Infinity) return;
    if (Number.isFinite(earliest)) this.park(ip, bucketOf(earliest));
    else this.add(ip, this.options.timersOf(ip) ?? []);
  }

  /**
   * As `addEarliest` for every address of each bucket (`timerBucketOf` its earliest timer): a table's timers parked
   * in another thread (lease-columns/table-indexes.ts). The arrays are adopted, not copied.
   */
  adoptParked(parked: ReadonlyMap<number, Uint32Array>): void {
    for (const [bucket, ips] of parked) {
      if (ips.length === 0) continue;
      if (!this.buckets.has(bucket)) this.buckets.set(bucket, { ips, count: ips.length });
      else for (let i = 0; i < ips.length; i++) this.park(ips[i]!, bucket);
    }
    if (!this.moving) this.arm();
  }

  /**
   * Opens no bucket until `release`: while a scan of the store rehydrates leases (each parked by `addEarliest`, due
   * or not), their timers neither enter the schedule nor fire. Fired during the scan, the timers that fell due while
   * the daemon was down wrote their leases back while it read them (10^6 leases past T1: a scan of 8 s instead of 4).
   */
  hold(): void {
    this.held = true;
    this.disarm();
  }

  /** Ends a `hold`: what fell due meanwhile moves into the schedule a slice at a time. */
  release(): void {
    if (!this.held) return;
    this.held = false;
    this.arm();
  }

  stop(): void {
    this.disarm();
    this.buckets.clear();
    this.opening.length = 0;
  }

  private park(ip: number, bucket: number): void {
    let parked = this.buckets.get(bucket);
    if (parked === undefined) this.buckets.set(bucket, (parked = { ips: new Uint32Array(FIRST_ROOM), count: 0 }));
    if (parked.count === parked.ips.length) {
      const bigger = new Uint32Array(parked.ips.length * 2);
      bigger.set(parked.ips);
      parked.ips = bigger;
    }
    parked.ips[parked.count++] = ip;
    if (bucket < this.timerBucket && !this.moving) this.arm();
  }

  /** Cancels the wake-up for the earliest bucket, if one is set. */
  private disarm(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.timerBucket = Infinity;
  }

  /** Wakes up a bucket before the earliest waiting one falls due. */
  private arm(): void {
    if (this.held) return;
    this.timer?.cancel();
    let first = Infinity;
    for (const bucket of this.buckets.keys()) if (bucket < first) first = bucket;
    this.timerBucket = first;
    this.timer = first === Infinity
      ? undefined
      : this.options.clock.setTimer((first - 1) * BUCKET_MS - this.options.clock.now(), () => this.open());
  }

  private open(): void {
    this.timer = undefined;
    this.timerBucket = Infinity;
    this.frontier = Math.max(this.frontier, bucketOf(this.options.clock.now()) + 2);
    for (const [bucket, parked] of this.buckets) {
      if (bucket >= this.frontier) continue;
      this.buckets.delete(bucket);
      this.opening.push({ bucket, parked, next: 0 });
    }
    this.move();
  }

  /** Moves opened buckets into the schedule, a slice at a time; a small backlog goes in one go. */
  private move(): void {
    this.moving = true;
    let moved = 0;
    try {
      while (this.opening.length > 0 && moved < SLICE) {
        const open = this.opening[0]!;
        const { ips, count } = open.parked;
        for (; open.next < count && moved < SLICE; open.next++, moved++) this.reschedule(ips[open.next]!, open.bucket);
        if (open.next === count) this.opening.shift();
      }
    } finally {
      this.moving = false;
    }
    if (this.opening.length > 0) (this.options.yieldFn ?? setImmediate)(() => this.move());
    else this.arm();
  }

  /** An address parked for `bucket`: if its lease still has a timer there, its timers go on (else it is stale). */
  private reschedule(ip: number, bucket: number): void {
    const timers = this.options.timersOf(ip);
    if (timers !== undefined && timers.some((t) => bucketOf(t.at) === bucket)) this.add(ip, timers);
  }
}
