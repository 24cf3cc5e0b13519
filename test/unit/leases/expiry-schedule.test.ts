// The shared expiry schedule: deadline order (ties in key order), re-arming, and mass expiry in bounded slices.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { ExpirySchedule, type ScheduledTimer } from '../../../src/leases/expiry-schedule.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);

interface Fired extends ScheduledTimer { readonly firedAt: number }

function setup(options: { sliceSize?: number; yieldFn?: (next: () => void) => void } = {}) {
  const clock = new ManualClock(0);
  const fired: Fired[] = [];
  const schedule = new ExpirySchedule({ clock, fire: (t) => fired.push({ ...t, firedAt: clock.now() }), ...options });
  return { clock, fired, schedule };
}

const timer = (at: number, key = `k${at}`): ScheduledTimer => ({ at, key, event: 'e' });

describe('ExpirySchedule', () => {
  it('fires each timer at its own deadline, in deadline order, whatever the order of adds', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 10_000 }), { maxLength: 60 }), (deadlines) => {
      const { clock, fired, schedule } = setup();
      deadlines.forEach((at, i) => schedule.add(timer(at, `k${i}`)));
      clock.advance(10_000);
      expect(fired.map((f) => f.at)).toEqual([...deadlines].sort((a, b) => a - b));
      for (const f of fired) expect(f.firedAt).toBe(f.at);
      expect(schedule.size).toBe(0);
    }), { numRuns: RUNS });
  });

  it('fires timers due at the same moment in the order of their keys, whatever the order of adds', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 20 })), { maxLength: 60 }), (adds) => {
      const { clock, fired, schedule } = setup({ sliceSize: 7, yieldFn: (next) => next() });
      for (const [at, n] of adds) schedule.add(timer(at, `198.51.100.${n}`));
      clock.advance(10);
      const order = (a: ScheduledTimer, b: ScheduledTimer): number => a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
      expect(fired.map((f) => [f.at, f.key])).toEqual(adds.map(([at, n]) => timer(at, `198.51.100.${n}`)).sort(order).map((t) => [t.at, t.key]));
    }), { numRuns: RUNS });
  });

  it('does not fire before the deadline', () => {
    const { clock, fired, schedule } = setup();
    schedule.add(timer(100));
    clock.advance(99);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired.map((f) => f.at)).toEqual([100]);
  });

  it('an earlier timer added later re-arms the clock; a later one does not delay the armed one', () => {
    const { clock, fired, schedule } = setup();
    schedule.add(timer(500));
    schedule.add(timer(200));
    schedule.add(timer(900));
    clock.advance(200);
    expect(fired.map((f) => f.at)).toEqual([200]);
    clock.advance(300);
    expect(fired.map((f) => f.at)).toEqual([200, 500]);
  });

  it('a timer whose deadline is already past fires on the next tick of the clock', () => {
    const { clock, fired, schedule } = setup();
    clock.advance(1_000);
    schedule.add(timer(10));
    clock.advance(0);
    expect(fired.map((f) => [f.at, f.firedAt])).toEqual([[10, 1_000]]);
  });

  it('timers added by a fire (the next timer of a lease) are scheduled too', () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    const schedule: ExpirySchedule = new ExpirySchedule({
      clock,
      fire: (t) => {
        fired.push(t.at);
        if (t.at < 400) schedule.add(timer(t.at + 100));
      },
    });
    schedule.add(timer(100));
    clock.advance(1_000);
    expect(fired).toEqual([100, 200, 300, 400]);
  });

  it('a fire that throws does not stop the schedule: later timers still fire', () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    const schedule = new ExpirySchedule({
      clock,
      fire: (t) => {
        if (t.key === 'bad') throw new Error('owner failed');
        fired.push(t.key);
      },
    });
    schedule.add(timer(10, 'bad'));
    schedule.add(timer(20, 'next'));
    expect(() => clock.advance(10)).toThrow('owner failed');
    clock.advance(10);
    expect(fired).toEqual(['next']);
    schedule.add(timer(30, 'after'));
    clock.advance(10);
    expect(fired).toEqual(['next', 'after']);
  });

  it('sweeps out stale entries once they are half of it: a flood of withdrawn offers does not pile up for the whole hold', () => {
    const clock = new ManualClock(0);
    const fired: ScheduledTimer[] = [];
    const current = new Set<string>();
    const schedule = new ExpirySchedule({ clock, fire: (t) => current.has(t.key) && fired.push(t), isCurrent: (t) => current.has(t.key) });
    for (let i = 0; i < 100_000; i++) {
      schedule.add(timer(60_000 + i, `k${i}`));
      current.add(`k${i}`);
      if (i >= 10) current.delete(`k${i - 10}`); // at most 10 live at once: the rest went stale
    }
    expect(schedule.size).toBeLessThan(2_048);
    clock.advance(200_000);
    expect(fired.map((t) => t.key)).toEqual(Array.from({ length: 10 }, (_, i) => `k${99_990 + i}`));
  });

  it('a sweep of a schedule as large as 10^6 leases keeps every current timer (no call-stack limit on its size)', () => {
    const clock = new ManualClock(0);
    let fired = 0;
    const schedule = new ExpirySchedule({ clock, fire: () => fired++, isCurrent: () => true });
    const count = 600_000; // past the sweep threshold, and past what one push(...entries) can spread
    for (let i = 0; i < count; i++) schedule.add(timer(1_000 + (i % 1_000), `k${i}`));
    expect(schedule.size).toBe(count);
    schedule.stop();
    expect(fired).toBe(0);
  });

  it('stop cancels everything', () => {
    const { clock, fired, schedule } = setup();
    schedule.add(timer(10));
    schedule.add(timer(20));
    schedule.stop();
    clock.advance(100);
    expect(fired).toEqual([]);
    expect(schedule.size).toBe(0);
  });

  it('mass expiry of 100k timers at one instant runs in slices of at most sliceSize, yielding between them', () => {
    const sliceSize = 256;
    const yields: (() => void)[] = [];
    const { clock, fired, schedule } = setup({ sliceSize, yieldFn: (next) => yields.push(next) });
    const N = 100_000;
    for (let i = 0; i < N; i++) schedule.add(timer(5_000, `ip${i}`));
    schedule.add(timer(5_001, 'later'));
    clock.advance(5_000);
    const slices = [fired.length];
    // The event loop (here: the test) runs each queued slice; nothing else fires in between.
    while (yields.length > 0) {
      const before = fired.length;
      yields.shift()!();
      slices.push(fired.length - before);
    }
    expect(fired).toHaveLength(N);
    expect(Math.max(...slices)).toBeLessThanOrEqual(sliceSize);
    expect(slices).toHaveLength(Math.ceil(N / sliceSize));
    expect(fired.every((f) => f.at === 5_000)).toBe(true);
    // The later timer is still armed after the burst.
    clock.advance(1);
    expect(fired.at(-1)?.key).toBe('later');
  });

  it('while a slice is queued, new adds do not arm a second drain and are picked up by the queued one', () => {
    const yields: (() => void)[] = [];
    const { clock, fired, schedule } = setup({ sliceSize: 2, yieldFn: (next) => yields.push(next) });
    for (let i = 0; i < 5; i++) schedule.add(timer(10, `a${i}`));
    clock.advance(10);
    expect(fired).toHaveLength(2);
    schedule.add(timer(3, 'past'));
    clock.advance(100); // a second, clock-armed drain here would break the slice bound
    expect(fired).toHaveLength(2);
    while (yields.length > 0) yields.shift()!();
    expect(fired.map((f) => f.key).sort()).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'past']);
    expect(fired[2]!.key).toBe('past');
  });

  it('uses setImmediate between slices by default', async () => {
    const { clock, fired, schedule } = setup({ sliceSize: 10 });
    for (let i = 0; i < 35; i++) schedule.add(timer(1, `k${i}`));
    clock.advance(1);
    expect(fired).toHaveLength(10);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(fired).toHaveLength(35);
  });
});
