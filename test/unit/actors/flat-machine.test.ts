// The compiled interpreter must step the machines exactly as XState does: same state, context, status and
// actions (timers included) after every event of generated sequences, accepted or refused.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { leaseMachine } from '../../../machines/lease.machine.js';
import { transactionMachine } from '../../../machines/transaction.machine.js';
import { compileFlatMachine, type FlatSnapshot, type FlatStepper } from '../../../src/actors/flat-machine.js';
import { createXStateStepper } from '../../../src/actors/stepper.js';
import { ACCEPTED, drop } from '../../../src/server/decision.js';

const runs = Number(process.env.PROPERTY_RUNS ?? 200);
type Event = { type: string; [k: string]: unknown };

const view = (s: FlatSnapshot, actions: readonly { type: string; params?: unknown }[]) => ({
  value: s.value, status: s.status, context: s.context, actions: actions.map((a) => ({ type: a.type, params: a.params })),
});

function sameSteps<I>(compiled: FlatStepper<unknown, Event, I>, reference: FlatStepper<unknown, Event, I>, input: I, events: Event[]): void {
  const [a0, aa] = compiled.initial(input);
  const [b0, ba] = reference.initial(input);
  expect(view(a0, aa)).toEqual(view(b0, ba));
  let [a, b] = [a0, b0];
  for (const event of events) {
    const [na, naa] = compiled.step(a, event);
    const [nb, nba] = reference.step(b, event);
    expect(na === a).toBe(nb === b);
    expect(view(na, naa)).toEqual(view(nb, nba));
    [a, b] = [na, nb];
  }
}

const time = fc.integer({ min: 0, max: 10_000_000 });
const leaseEvent: fc.Arbitrary<Event> = fc.oneof(
  fc.record({ type: fc.constant('lease.offer'), now: time, holdMs: fc.integer({ min: 1, max: 600_000 }) }),
  fc.record({
    type: fc.constant('lease.commit'), now: time, leaseMs: fc.integer({ min: 3, max: 9_000_000 }),
    renewMs: fc.integer({ min: 1, max: 1_000 }), rebindMs: fc.integer({ min: 2, max: 2_000 }), graceMs: fc.nat(1_000_000),
  }),
  fc.record({ type: fc.constant('lease.release'), now: time }),
  fc.record({ type: fc.constant('lease.decline'), now: time, probationMs: fc.nat(1_000_000) }),
  fc.record({ type: fc.constant('lease.conflict'), now: time, probationMs: fc.nat(1_000_000) }),
  fc.record({ type: fc.constant('lease.withdraw'), now: time }),
  fc.constantFrom(
    ...['offerHold.lease.offered', 'renewal.lease.bound', 'rebinding.lease.renewing', 'expiry.lease.rebinding',
      'hold.lease.expired', 'hold.lease.declined'].map((t) => ({ type: `xstate.after.${t}` })),
    { type: 'nonsense' },
  ),
);

describe('compiled flat machines', () => {
  it('step the lease machine exactly as XState does', () => {
    const compiled = compileFlatMachine<unknown, Event, unknown>(leaseMachine)!;
    const input = { ip: '198.51.100.7', subnetId: 1, clientKey: 'hw:1:02', hwAddress: '02', now: 5, holdMs: 60_000 };
    const reference = createXStateStepper<unknown, Event, unknown>(leaseMachine, input);
    expect(compiled).toBeDefined();
    fc.assert(fc.property(fc.array(leaseEvent, { maxLength: 30 }), (events) => sameSteps(compiled, reference, input, events)), { numRuns: runs });
  });

  it('step the transaction machine exactly as XState does', () => {
    const compiled = compileFlatMachine<unknown, Event, unknown>(transactionMachine)!;
    const reference = createXStateStepper<unknown, Event, unknown>(transactionMachine, { clientKey: 'c' });
    const packet = { clientKey: 'c' };
    const event: fc.Arbitrary<Event> = fc.oneof(
      fc.constantFrom('dhcp.discover', 'dhcp.request', 'dhcp.release', 'dhcp.decline', 'dhcp.inform').map((type) => ({ type, packet })),
      fc.constant({ type: 'txn.decided', decision: ACCEPTED }),
      fc.constant({ type: 'txn.checked', decision: drop('not-for-us') }),
      fc.constant({ type: 'txn.conflict' }),
      fc.constant({ type: 'txn.failed', error: 'boom' }),
      fc.constant({ type: 'xstate.after.clientQuiet.transaction.offered' }),
    );
    fc.assert(fc.property(fc.array(event, { maxLength: 20 }), (events) => sameSteps(compiled, reference, { clientKey: 'c' }, events)), { numRuns: runs });
  });

  it('refuses machines it cannot interpret, so XState runs them', () => {
    const nested = setup({}).createMachine({ initial: 'a', states: { a: { initial: 'x', states: { x: {} } } } });
    const guarded = setup({ guards: { g: () => true } }).createMachine({
      initial: 'a', states: { a: { on: { go: { guard: 'g', target: 'b' } } }, b: {} },
    });
    expect(compileFlatMachine(nested)).toBeUndefined();
    expect(compileFlatMachine(guarded)).toBeUndefined();
  });
});
