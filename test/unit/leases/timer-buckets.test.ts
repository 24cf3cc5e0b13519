// Timers of a table loaded whole wait parked by address, however near they are: those already due when it loads
// (a daemon down past every lease's T1) reach the precise schedule a slice at a time after the load, not one
// schedule entry per lease during it; none is lost, and later timers still wait for their own buckets. Held while a
// store scan runs, no bucket opens until released.
import { describe, expect, it } from 'vitest';
import type { LeaseTimer } from '../../../machines/lease.types.js';
import { ManualClock } from '../../../src/clock.js';
import type { ExpirySchedule, ScheduledTimer } from '../../../src/leases/expiry-schedule.js';
import { BUCKET_MS, TimerBuckets } from '../../../src/leases/timer-buckets.js';

const T0 = 1_700_000_000_000;
const LEASES = 5_000;

function rig() {
  const clock = new ManualClock(T0);
  const scheduled: ScheduledTimer[] = [];
  const slices: (() => void)[] = [];
  const timers = new Map<number, LeaseTimer[]>();
  const schedule = { add: (timer: ScheduledTimer) => scheduled.push(timer) } as unknown as ExpirySchedule;
  const buckets = new TimerBuckets({ clock, schedule, timersOf: (ip) => timers.get(ip), yieldFn: (next) => slices.push(next) });
  /** Runs the slices the buckets yielded, one at a time; returns how many timers each put in the schedule. */
  const drain = (): number[] => {
    const sizes: number[] = [];
    while (slices.length > 0) {
      const before = scheduled.length;
      slices.shift()!();
      sizes.push(scheduled.length - before);
    }
    return sizes;
  };
  return { clock, scheduled, timers, buckets, drain };
}

describe('timer buckets', () => {
  it('a loaded table whose timers all fell due moves into the schedule in slices after the load', () => {
    const { clock, scheduled, timers, buckets, drain } = rig();
    const due = T0 - 3_600_000;
    const later = T0 + 10 * BUCKET_MS;
    for (let ip = 1; ip <= LEASES; ip++) {
      timers.set(ip, [{ event: 'renewal', at: due }, { event: 'expiry', at: later }]);
      buckets.addEarliest(ip, due);
    }
    expect(scheduled.length).toBe(0);
    clock.advance(0);
    const sizes = [scheduled.length, ...drain()];
    expect(sizes.every((n) => n <= 2_048)).toBe(true);
    expect(sizes.length).toBeGreaterThan(2);
    expect(scheduled.length).toBe(LEASES);
    expect(scheduled.every((t) => t.event === 'renewal' && t.at === due)).toBe(true);
    // The later timer of each lease waits in its own bucket until that one opens, a minute before it falls due
    // (the lease's list goes in again then; here nothing fired the due one: the schedule drops stale entries itself).
    expect(scheduled.some((t) => t.event === 'expiry')).toBe(false);
    clock.advance(later - T0 - 1);
    drain();
    expect(scheduled.filter((t) => t.event === 'expiry' && t.at === later).length).toBe(LEASES);
    buckets.stop();
  });

  it('held (a store scan under way), no bucket opens, due or not; released, they move in slices', () => {
    const { clock, scheduled, timers, buckets, drain } = rig();
    const due = T0 - 3_600_000;
    buckets.hold();
    for (let ip = 1; ip <= LEASES; ip++) {
      timers.set(ip, [{ event: 'renewal', at: due }]);
      buckets.addEarliest(ip, due);
    }
    clock.advance(5 * BUCKET_MS);
    expect(drain()).toEqual([]);
    expect(scheduled.length).toBe(0);
    buckets.release();
    clock.advance(0);
    const sizes = [scheduled.length, ...drain()];
    expect(sizes.every((n) => n <= 2_048)).toBe(true);
    expect(scheduled.length).toBe(LEASES);
    buckets.stop();
  });
});
