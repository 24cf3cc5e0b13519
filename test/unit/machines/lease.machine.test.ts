// The lease machine (RFC 2131 §4.4.5 from the server's side), driven as a live actor on XState's SimulatedClock.
import { describe, expect, it } from 'vitest';
import { transition } from 'xstate';
import { leaseMachine, type LeaseEvent } from '../../../machines/lease.machine.js';
import type { LeaseState } from '../../../machines/lease.types.js';
import {
  ALL_STATES, HOLD_MS, IDENTITY, PROBATION_MS, T0, TIMER_OF, TIMES, afterEvent, externalEvents, leaseIn, startLeaseActor,
} from './lease-fixtures.js';

describe('offered', () => {
  it('starts offered with the hold measured from the input time', () => {
    const lease = startLeaseActor();
    expect(lease.state()).toBe('offered');
    expect(lease.context()).toMatchObject({ ...IDENTITY, offerExpiresAt: T0 + HOLD_MS, changedAt: T0, expiresAt: 0 });
  });

  it('is reclaimed when the offer hold runs out, not a millisecond earlier', () => {
    const lease = startLeaseActor();
    lease.advanceTo(T0 + HOLD_MS - 1);
    expect(lease.state()).toBe('offered');
    lease.advanceTo(T0 + HOLD_MS);
    expect(lease.state()).toBe('reclaimed');
    expect(lease.status()).toBe('done');
    expect(lease.context().changedAt).toBe(T0 + HOLD_MS);
  });

  it('a repeated offer (retransmitted DISCOVER) holds the address again from its own time', () => {
    const lease = startLeaseActor();
    lease.advanceTo(T0 + 40_000);
    lease.actor.send({ type: 'lease.offer', now: T0 + 40_000, holdMs: HOLD_MS });
    expect(lease.context()).toMatchObject({ offerExpiresAt: T0 + 40_000 + HOLD_MS, changedAt: T0 + 40_000 });
    lease.advanceTo(T0 + HOLD_MS + 1);
    expect(lease.state()).toBe('offered');
    lease.advanceTo(T0 + 40_000 + HOLD_MS - 1);
    expect(lease.state()).toBe('offered');
    lease.advanceTo(T0 + 40_000 + HOLD_MS);
    expect(lease.state()).toBe('reclaimed');
  });

  it('withdraw (the client took another server) reclaims at once and cancels the hold', () => {
    const lease = startLeaseActor();
    lease.advanceTo(T0 + 5_000);
    lease.actor.send({ type: 'lease.withdraw', now: T0 + 5_000 });
    expect(lease.state()).toBe('reclaimed');
    expect(lease.context().changedAt).toBe(T0 + 5_000);
    lease.advanceTo(T0 + HOLD_MS * 2);
    expect(lease.context().changedAt).toBe(T0 + 5_000);
  });
});

describe('the bound lifecycle: bound → renewing → rebinding → expired → reclaimed', () => {
  it('passes T1, T2, expiry and the grace period at their absolute deadlines', () => {
    const lease = leaseIn('bound');
    const at = T0 + 1_000;
    expect(lease.context()).toMatchObject({
      boundAt: at, changedAt: at, renewAt: at + TIMES.renewMs, rebindAt: at + TIMES.rebindMs,
      expiresAt: at + TIMES.leaseMs, graceUntil: at + TIMES.leaseMs + TIMES.graceMs,
    });
    const steps: [LeaseState, number][] = [
      ['renewing', at + TIMES.renewMs],
      ['rebinding', at + TIMES.rebindMs],
      ['expired', at + TIMES.leaseMs],
      ['reclaimed', at + TIMES.leaseMs + TIMES.graceMs],
    ];
    for (const [next, deadline] of steps) {
      const before = lease.state();
      lease.advanceTo(deadline - 1);
      expect(lease.state()).toBe(before);
      lease.advanceTo(deadline);
      expect(lease.state()).toBe(next);
      expect(lease.context().changedAt).toBe(deadline);
    }
    expect(lease.status()).toBe('done');
  });

  it('keeps the hostname of a commit and keeps it on a later commit without one', () => {
    const lease = startLeaseActor();
    lease.commit('printer');
    expect(lease.context().hostname).toBe('printer');
    lease.advanceTo(T0 + 10_000);
    lease.commit();
    expect(lease.context().hostname).toBe('printer');
  });
});

describe('commit from every state that allows it restarts the timers from the commit', () => {
  for (const from of ['offered', 'bound', 'renewing', 'rebinding', 'expired'] as const) {
    it(`${from} → bound`, () => {
      const lease = leaseIn(from);
      const now = lease.clock.now() + 7;
      lease.advanceTo(now);
      lease.commit();
      expect(lease.state()).toBe('bound');
      expect(lease.context()).toMatchObject({ boundAt: now, renewAt: now + TIMES.renewMs, expiresAt: now + TIMES.leaseMs });
      lease.advanceTo(now + TIMES.renewMs - 1);
      expect(lease.state()).toBe('bound');
      lease.advanceTo(now + TIMES.renewMs);
      expect(lease.state()).toBe('renewing');
    });
  }
});

describe('release', () => {
  for (const from of ['bound', 'renewing', 'rebinding', 'expired'] as const) {
    it(`${from} → released, final, with no timer left`, () => {
      const lease = leaseIn(from);
      const now = lease.clock.now() + 3;
      lease.advanceTo(now);
      lease.release();
      expect(lease.state()).toBe('released');
      expect(lease.status()).toBe('done');
      expect(lease.context().changedAt).toBe(now);
      lease.advanceTo(now + 10 * TIMES.leaseMs);
      expect(lease.state()).toBe('released');
    });
  }
});

describe('decline (RFC 2131 §4.3.3): probation, then back to the pool', () => {
  it('offered → declined by a conflict found before the OFFER went out (RFC 2131 §4.4.1) → reclaimed after probation', () => {
    const lease = leaseIn('offered');
    const now = lease.clock.now() + 5;
    lease.advanceTo(now);
    lease.actor.send({ type: 'lease.conflict', now, probationMs: PROBATION_MS });
    expect(lease.state()).toBe('declined');
    expect(lease.context()).toMatchObject({ changedAt: now, probationUntil: now + PROBATION_MS });
    // The offer-hold timer (shorter than probation) must not free the address early.
    lease.advanceTo(now + PROBATION_MS - 1);
    expect(lease.state()).toBe('declined');
    lease.advanceTo(now + PROBATION_MS);
    expect(lease.state()).toBe('reclaimed');
  });

  for (const from of ['bound', 'renewing', 'rebinding'] as const) {
    it(`${from} → declined → reclaimed after probation`, () => {
      const lease = leaseIn(from);
      const now = lease.clock.now() + 5;
      lease.advanceTo(now);
      lease.decline();
      expect(lease.state()).toBe('declined');
      expect(lease.context()).toMatchObject({ changedAt: now, probationUntil: now + PROBATION_MS });
      // The old state's timer (T1, T2 or expiry) must not move a declined address.
      lease.advanceTo(now + PROBATION_MS - 1);
      expect(lease.state()).toBe('declined');
      lease.advanceTo(now + PROBATION_MS);
      expect(lease.state()).toBe('reclaimed');
      expect(lease.context().changedAt).toBe(now + PROBATION_MS);
    });
  }
});

/** Events each state must refuse, by type. */
const REFUSED: Partial<Record<LeaseState, readonly LeaseEvent['type'][]>> = {
  offered: ['lease.release', 'lease.decline'],
  bound: ['lease.offer', 'lease.withdraw', 'lease.conflict'],
  renewing: ['lease.offer', 'lease.withdraw', 'lease.conflict'],
  rebinding: ['lease.offer', 'lease.withdraw', 'lease.conflict'],
  expired: ['lease.offer', 'lease.withdraw', 'lease.decline', 'lease.conflict'],
  declined: ['lease.offer', 'lease.commit', 'lease.release', 'lease.decline', 'lease.withdraw', 'lease.conflict'],
  // released and reclaimed: see 'final states stay final' (a live actor there is stopped and ignores everything).
};

describe('refused events leave the lease as it was', () => {
  for (const state of ALL_STATES) {
    for (const type of REFUSED[state] ?? []) {
      it(`${state} ignores ${type}`, () => {
        const lease = leaseIn(state);
        const before = lease.actor.getSnapshot();
        lease.advanceTo(lease.clock.now() + 1);
        lease.actor.send(externalEvents(lease.clock.now()).find((e) => e.type === type)!);
        expect(lease.state()).toBe(state);
        expect(lease.context()).toEqual(before.context);
      });
    }
  }

  it('a refused event does not disturb the pending timer', () => {
    const lease = leaseIn('bound');
    const renewAt = lease.context().renewAt;
    lease.actor.send({ type: 'lease.offer', now: lease.clock.now(), holdMs: 1 });
    lease.advanceTo(renewAt);
    expect(lease.state()).toBe('renewing');
  });
});

describe('final states stay final', () => {
  const timerEvents = Object.entries(TIMER_OF).map(([state, t]) => afterEvent(t!.delay, state as LeaseState));

  for (const state of ['released', 'reclaimed'] as const) {
    it(`${state}: the live actor is done and time changes nothing`, () => {
      const lease = leaseIn(state);
      const context = lease.context();
      lease.advanceTo(lease.clock.now() + 100 * TIMES.leaseMs);
      expect(lease.state()).toBe(state);
      expect(lease.status()).toBe('done');
      expect(lease.context()).toEqual(context);
    });

    it(`${state}: the definition has no way out, for any event or timer (as a passivated record sees it)`, () => {
      const context = leaseIn(state).context();
      const snapshot = leaseMachine.resolveState({ value: state, context });
      for (const event of [...externalEvents(context.changedAt + 1), ...timerEvents]) {
        const [next] = transition(leaseMachine, snapshot, event as LeaseEvent);
        expect(next.value).toBe(state);
        expect(next.context).toEqual(context);
      }
    });
  }
});
