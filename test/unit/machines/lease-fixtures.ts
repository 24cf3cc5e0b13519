// Shared fixtures for lease machine tests: one lease's identity, its times, and a live actor on a simulated clock.
import { createActor, SimulatedClock, type StateValue } from 'xstate';
import { leaseMachine, type LeaseEvent, type LeaseInput } from '../../../machines/lease.machine.js';
import type { LeaseContext, LeaseState } from '../../../machines/lease.types.js';
import { leafOf } from '../../../src/actors/stepper.js';

export const T0 = 1_700_000_000_000;
export const HOLD_MS = 60_000;
export const PROBATION_MS = 3_600_000;
/** A 1 h lease: T1 at 30 min, T2 at 52.5 min, 10 min of grace after expiry. */
export const TIMES = { leaseMs: 3_600_000, renewMs: 1_800_000, rebindMs: 3_150_000, graceMs: 600_000 } as const;

export const IDENTITY = {
  ip: '198.51.100.10',
  subnetId: 1,
  clientKey: 'hw:1:02:00:00:00:00:01',
  hwAddress: '02:00:00:00:00:01',
} as const;

/** A snapshot's lease state, as the store names it: `{ leased: 'bound' }` is "bound". */
export const stateOf = (snapshot: { readonly value: StateValue }): LeaseState => leafOf(snapshot.value) as LeaseState;

export const leaseInput = (now: number = T0, holdMs: number = HOLD_MS): LeaseInput => ({ ...IDENTITY, now, holdMs });

/** The event a delayed transition raises: `xstate.after.<delay>.lease.<state>`. */
export const afterEvent = (delay: string, state: LeaseState): { type: string } => ({
  type: `xstate.after.${delay}.lease.${state}`,
});

/** Which context field each state's timer runs to, and the delay name the machine gives it. */
export const TIMER_OF: Partial<Record<LeaseState, { delay: string; field: keyof LeaseContext }>> = {
  offered: { delay: 'offerHold', field: 'offerExpiresAt' },
  bound: { delay: 'renewal', field: 'renewAt' },
  renewing: { delay: 'rebinding', field: 'rebindAt' },
  rebinding: { delay: 'expiry', field: 'expiresAt' },
  expired: { delay: 'grace', field: 'graceUntil' },
  declined: { delay: 'probation', field: 'probationUntil' },
};

export const ALL_STATES: readonly LeaseState[] = [
  'offered', 'bound', 'renewing', 'rebinding', 'expired', 'released', 'declined', 'reclaimed',
];

/** One of every kind of event the outside world sends, stamped at `now`. */
export function externalEvents(now: number): LeaseEvent[] {
  return [
    { type: 'lease.offer', now, holdMs: HOLD_MS },
    { type: 'lease.commit', now, ...TIMES },
    { type: 'lease.release', now },
    { type: 'lease.decline', now, probationMs: PROBATION_MS },
    { type: 'lease.conflict', now, probationMs: PROBATION_MS },
    { type: 'lease.withdraw', now },
  ];
}

export function startLeaseActor(start: number = T0) {
  const clock = new SimulatedClock();
  clock.set(start);
  const actor = createActor(leaseMachine, { input: leaseInput(start), clock });
  actor.start();
  const lease = {
    clock,
    actor,
    state: () => stateOf(actor.getSnapshot()),
    context: () => actor.getSnapshot().context,
    status: () => actor.getSnapshot().status,
    /**
     * Moves the simulated clock to an absolute time, stopping at each deadline on the way: SimulatedClock jumps
     * straight to the target, so a timer armed while it flushes would count from the target, not its deadline.
     */
    advanceTo: (at: number) => {
      for (;;) {
        const timer = actor.getSnapshot().status === 'active' ? TIMER_OF[lease.state()] : undefined;
        const deadline = timer === undefined ? Infinity : (lease.context()[timer.field] as number);
        if (deadline > at || deadline < clock.now()) break;
        clock.set(deadline);
        if (lease.context()[timer!.field] === deadline && TIMER_OF[lease.state()] === timer) break; // did not fire
      }
      clock.set(at);
    },
    commit: (hostname?: string) =>
      actor.send({ type: 'lease.commit', now: clock.now(), ...TIMES, ...(hostname !== undefined ? { hostname } : {}) }),
    release: () => actor.send({ type: 'lease.release', now: clock.now() }),
    decline: () => actor.send({ type: 'lease.decline', now: clock.now(), probationMs: PROBATION_MS }),
    /** Lets the current state's own timer run out (one ms short of it when `justBefore`). */
    runTimer: (justBefore = false) => {
      const timer = TIMER_OF[lease.state()];
      if (timer === undefined) throw new Error(`state ${lease.state()} has no timer`);
      lease.advanceTo((lease.context()[timer.field] as number) - (justBefore ? 1 : 0));
    },
  };
  return lease;
}

export type LeaseHarness = ReturnType<typeof startLeaseActor>;

/** Drives a fresh lease to `target` through the shortest route of events and timers. */
export function leaseIn(target: LeaseState, start: number = T0): LeaseHarness {
  const lease = startLeaseActor(start);
  const route: Record<LeaseState, (l: LeaseHarness) => void> = {
    offered: () => {},
    bound: (l) => { l.advanceTo(start + 1_000); l.commit(); },
    renewing: (l) => { route.bound(l); l.runTimer(); },
    rebinding: (l) => { route.renewing(l); l.runTimer(); },
    expired: (l) => { route.rebinding(l); l.runTimer(); },
    released: (l) => { route.bound(l); l.advanceTo(start + 2_000); l.release(); },
    declined: (l) => { route.bound(l); l.advanceTo(start + 2_000); l.decline(); },
    reclaimed: (l) => { l.runTimer(); },
  };
  route[target](lease);
  if (lease.state() !== target) throw new Error(`could not reach ${target}, got ${lease.state()}`);
  return lease;
}
