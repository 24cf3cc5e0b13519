// The passivated lease runner (pure transitions + absolute deadlines) against a live actor on SimulatedClock.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LeaseEvent } from '../../../machines/lease.machine.js';
import { startLease, stepLease } from '../../../src/leases/lease-runner.js';
import { isFinal } from '../../../src/leases/states.js';
import type { LeaseRecord, LeaseTimer } from '../../../machines/lease.types.js';
import {
  HOLD_MS, PROBATION_MS, T0, TIMES, afterEvent, leaseInput, startLeaseActor,
} from '../machines/lease-fixtures.js';

/** The earliest deadline of a record, if it has one. */
function nextDeadline(record: LeaseRecord): LeaseTimer | undefined {
  let first: LeaseTimer | undefined;
  for (const timer of record.timers) if (first === undefined || timer.at < first.at) first = timer;
  return first;
}

const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);

/** Fires every timer of the record that is due by `t`, in deadline order, as the expiry schedule does. */
function runTimersUntil(record: LeaseRecord, t: number, visit?: (r: LeaseRecord) => void): LeaseRecord {
  let current = record;
  for (let guard = 0; guard < 20; guard++) {
    const due = nextDeadline(current);
    if (due === undefined || due.at > t) return current;
    const next = stepLease(current, { type: due.event });
    // A record's own timer is always accepted: a refused one would mean a stale timer was kept.
    if (next === undefined) throw new Error(`timer ${due.event} refused in ${current.state}`);
    current = next;
    visit?.(current);
  }
  throw new Error('timers did not settle');
}

type Kind = LeaseEvent['type'];
const makeEvent = (kind: Kind, now: number, holdMs = HOLD_MS): LeaseEvent => {
  switch (kind) {
    case 'lease.offer': return { type: kind, now, holdMs };
    case 'lease.commit': return { type: kind, now, ...TIMES };
    case 'lease.release': return { type: kind, now };
    case 'lease.decline': return { type: kind, now, probationMs: PROBATION_MS };
    case 'lease.conflict': return { type: kind, now, probationMs: PROBATION_MS };
    case 'lease.withdraw': return { type: kind, now };
  }
};

interface Step { readonly gap: number; readonly kind: Kind }
const stepArb: fc.Arbitrary<Step> = fc.record({
  // Small gaps stay inside a state; large ones cross T1, T2, expiry, grace and probation.
  gap: fc.oneof(
    fc.integer({ min: 0, max: 2_000 }),
    fc.integer({ min: 0, max: 4_500_000 }),
    // Gaps of a timer's length (±1 ms) land on and around the deadlines, and inside the short T2..expiry window.
    fc.tuple(fc.constantFrom(HOLD_MS, TIMES.renewMs, TIMES.rebindMs, TIMES.leaseMs, TIMES.graceMs, PROBATION_MS),
      fc.integer({ min: -1, max: 1 })).map(([ms, d]) => ms + d),
  ),
  // Commits are weighted up, or most runs would end in `reclaimed` straight after the offer.
  kind: fc.oneof(
    { arbitrary: fc.constant<Kind>('lease.commit'), weight: 4 },
    { arbitrary: fc.constantFrom<Kind>('lease.offer', 'lease.release', 'lease.decline', 'lease.conflict', 'lease.withdraw'), weight: 3 },
  ),
});

/** Plays steps on the runner from `record`, starting at time `from`; returns the record after each step. */
function playRunner(record: LeaseRecord, from: number, steps: readonly Step[], visit?: (r: LeaseRecord) => void): LeaseRecord[] {
  const out: LeaseRecord[] = [];
  let current = record;
  let now = from;
  for (const step of steps) {
    now += step.gap;
    current = runTimersUntil(current, now, visit);
    current = stepLease(current, makeEvent(step.kind, now)) ?? current;
    visit?.(current);
    out.push(current);
  }
  return out;
}

describe('runner and live actor agree', () => {
  it('reach the same state and context after every step of random event sequences', () => {
    const seen = new Set<string>();
    fc.assert(fc.property(fc.array(stepArb, { minLength: 1, maxLength: 12 }), (steps) => {
      const lease = startLeaseActor();
      const records = playRunner(startLease(leaseInput()), T0, steps, (r) => seen.add(r.state));
      let now = T0;
      steps.forEach((step, i) => {
        now += step.gap;
        lease.advanceTo(now);
        if (lease.status() === 'active') lease.actor.send(makeEvent(step.kind, now));
        expect(records[i]!.state).toBe(lease.state());
        expect(records[i]!.context).toEqual(lease.context());
      });
      // Then let every remaining timer run out on both sides.
      const end = now + 10 * (TIMES.leaseMs + PROBATION_MS);
      lease.advanceTo(end);
      const last = runTimersUntil(records.at(-1)!, end);
      expect(last.state).toBe(lease.state());
      expect(last.context).toEqual(lease.context());
      expect(['released', 'reclaimed']).toContain(last.state);
    }), { numRuns: Math.max(RUNS, 100) });
    // The generator is only worth something if the sequences visit every state.
    expect([...seen].sort()).toEqual(['bound', 'declined', 'expired', 'offered', 'rebinding', 'reclaimed', 'released', 'renewing']);
  });

  it('a record through JSON.stringify/parse behaves identically from then on, timers included', () => {
    fc.assert(fc.property(
      fc.array(stepArb, { minLength: 0, maxLength: 6 }),
      fc.array(stepArb, { minLength: 1, maxLength: 6 }),
      (before, after) => {
        const start = startLease(leaseInput());
        const prefix = playRunner(start, T0, before);
        const split = prefix.at(-1) ?? start;
        const splitAt = before.reduce((t, s) => t + s.gap, T0);
        const revived = JSON.parse(JSON.stringify(split)) as LeaseRecord;
        expect(revived).toEqual(split);
        expect(playRunner(revived, splitAt, after)).toEqual(playRunner(split, splitAt, after));
      },
    ), { numRuns: RUNS });
  });
});

describe('timers hold absolute deadlines', () => {
  const timersOf = (r: LeaseRecord) => r.timers.map((t) => ({ ...t }));

  it('walks the lifecycle with exactly one timer at each stage', () => {
    const offered = startLease(leaseInput());
    expect(timersOf(offered)).toEqual([{ event: afterEvent('offerHold', 'offered').type, at: T0 + HOLD_MS }]);
    const at = T0 + 1_000;
    const bound = stepLease(offered, makeEvent('lease.commit', at))!;
    expect(timersOf(bound)).toEqual([{ event: afterEvent('renewal', 'bound').type, at: at + TIMES.renewMs }]);
    const renewing = runTimersUntil(bound, at + TIMES.renewMs);
    expect(renewing.state).toBe('renewing');
    expect(timersOf(renewing)).toEqual([{ event: afterEvent('rebinding', 'renewing').type, at: at + TIMES.rebindMs }]);
    const rebinding = runTimersUntil(renewing, at + TIMES.rebindMs);
    expect(timersOf(rebinding)).toEqual([{ event: afterEvent('expiry', 'rebinding').type, at: at + TIMES.leaseMs }]);
    const expired = runTimersUntil(rebinding, at + TIMES.leaseMs);
    expect(expired.state).toBe('expired');
    expect(timersOf(expired)).toEqual([
      { event: afterEvent('grace', 'expired').type, at: at + TIMES.leaseMs + TIMES.graceMs },
    ]);
    const reclaimed = runTimersUntil(expired, Number.MAX_SAFE_INTEGER);
    expect(reclaimed.state).toBe('reclaimed');
    expect(reclaimed.timers).toEqual([]);
  });

  it('a decline replaces the old timer by the end of probation; a release leaves none', () => {
    const bound = stepLease(startLease(leaseInput()), makeEvent('lease.commit', T0 + 10))!;
    const declined = stepLease(bound, makeEvent('lease.decline', T0 + 20))!;
    expect(timersOf(declined)).toEqual([{ event: afterEvent('probation', 'declined').type, at: T0 + 20 + PROBATION_MS }]);
    const released = stepLease(bound, makeEvent('lease.release', T0 + 20))!;
    expect(released.state).toBe('released');
    expect(released.timers).toEqual([]);
  });

  it('a repeated offer moves the hold deadline instead of adding a second one', () => {
    const offered = startLease(leaseInput());
    const again = stepLease(offered, makeEvent('lease.offer', T0 + 30_000))!;
    expect(timersOf(again)).toEqual([{ event: afterEvent('offerHold', 'offered').type, at: T0 + 30_000 + HOLD_MS }]);
  });

  it('the deadline does not depend on when the record is stepped, only on the event times', () => {
    const a = stepLease(startLease(leaseInput(T0)), makeEvent('lease.commit', T0 + 5))!;
    const b = stepLease(startLease(leaseInput(T0 - 50_000)), makeEvent('lease.commit', T0 + 5))!;
    expect(a.timers).toEqual(b.timers);
  });
});

describe('refusals', () => {
  it('returns undefined for an event the state refuses and for another state\'s timer', () => {
    const offered = startLease(leaseInput());
    expect(stepLease(offered, makeEvent('lease.release', T0 + 1))).toBeUndefined();
    expect(stepLease(offered, afterEvent('renewal', 'bound'))).toBeUndefined();
    const bound = stepLease(offered, makeEvent('lease.commit', T0 + 1))!;
    // A stale offer-hold timer reaching a bound lease must not reclaim it.
    expect(stepLease(bound, afterEvent('offerHold', 'offered'))).toBeUndefined();
    expect(stepLease(bound, makeEvent('lease.withdraw', T0 + 2))).toBeUndefined();
  });

  it('final records accept nothing', () => {
    const released = stepLease(stepLease(startLease(leaseInput()), makeEvent('lease.commit', T0 + 1))!, makeEvent('lease.release', T0 + 2))!;
    expect(isFinal(released.state)).toBe(true);
    for (const kind of ['lease.offer', 'lease.commit', 'lease.release', 'lease.decline', 'lease.conflict', 'lease.withdraw'] as const) {
      expect(stepLease(released, makeEvent(kind, T0 + 3))).toBeUndefined();
    }
    expect(isFinal('declined')).toBe(false);
    expect(isFinal('expired')).toBe(false);
  });
});
