// The compiled interpreter must step the machines exactly as XState does: same state, context, status and
// actions (timers included) after every event of generated sequences, accepted or refused — for the daemon's
// machines and for a nested machine that uses every kind of transition one level of nesting allows.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { leaseMachine } from '../../../machines/lease.machine.js';
import { transactionMachine } from '../../../machines/transaction.machine.js';
import { compileMachine, type FlatSnapshot, type FlatStepper } from '../../../src/actors/compiled-machine.js';
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

/** advance() (in place, on a snapshot its caller owns) ends where step() does, with the same actions, every step. */
function sameAdvance<I>(stepper: FlatStepper<unknown, Event, I>, input: I, events: Event[]): void {
  const [first] = stepper.initial(input);
  const owned = { value: first.value, context: structuredClone(first.context), status: first.status };
  let reference = first;
  for (const event of events) {
    const [next, actions] = stepper.step(reference, event);
    const advanced = stepper.advance(owned, event);
    expect(advanced === undefined).toBe(next === reference);
    if (advanced !== undefined) expect(view(owned, advanced)).toEqual(view(next, actions));
    expect(owned.value).toBe(next.value);
    reference = next;
  }
}

/**
 * advanceInto() (what a step executes written into a reused sink) ends where advance() does, with the same actions'
 * types and params, every step; a sink left with longer lists from an earlier step is written over.
 */
function sameAdvanceInto<I>(stepper: FlatStepper<unknown, Event, I>, input: I, events: Event[]): void {
  const [first] = stepper.initial(input);
  const owned = { value: first.value, context: structuredClone(first.context), status: first.status };
  const into = { value: first.value, context: structuredClone(first.context), status: first.status };
  const sink = { types: ['stale', 'stale', 'stale', 'stale'], params: [1, 2, 3, 4] as unknown[] };
  for (const event of events) {
    const actions = stepper.advance(owned, event);
    const count = stepper.advanceInto(into, event, sink);
    expect(count).toBe(actions === undefined ? -1 : actions.length);
    expect({ value: into.value, status: into.status, context: into.context }).toEqual({ value: owned.value, status: owned.status, context: owned.context });
    if (actions === undefined) continue;
    expect(sink.types.slice(0, count)).toEqual(actions.map((a) => a.type));
    expect(sink.params.slice(0, count)).toEqual(actions.map((a) => a.params));
  }
}

/**
 * initialInto() and stepInto() (the snapshot written into the caller's object, the actions into a reused sink) give
 * what initial() and step() give, every step, and stepInto leaves the snapshot it starts from as it was.
 */
function sameStepInto<I>(stepper: FlatStepper<unknown, Event, I>, input: I, events: Event[]): void {
  const sink = { types: ['stale', 'stale', 'stale', 'stale'], params: [1, 2, 3, 4] as unknown[] };
  const into = { value: 'stale', context: {} as unknown, status: 'active' as 'active' | 'done' };
  const actionsIn = (count: number) => sink.types.slice(0, count).map((type, i) => ({ type, params: sink.params[i] }));
  const [first, firstActions] = stepper.initial(input);
  const n0 = stepper.initialInto(input, into, sink);
  expect(view(into, actionsIn(n0))).toEqual(view(first, firstActions));
  let reference = first;
  let mine: FlatSnapshot = { value: into.value, context: into.context, status: into.status };
  for (const event of events) {
    const before = structuredClone(mine.context);
    const [next, actions] = stepper.step(reference, event);
    const count = stepper.stepInto(mine, event, into, sink);
    expect(mine.context).toEqual(before);
    expect(count === -1).toBe(next === reference);
    if (count === -1) continue;
    expect(view(into, actionsIn(count))).toEqual(view(next, actions));
    reference = next;
    mine = { value: into.value, context: into.context, status: into.status };
  }
}

/** Every kind of transition one level of nesting allows, each leaving a trace in the context or the actions. */
const nestedMachine = setup({
  types: { context: {} as { trail: string[]; n: number } },
  actions: {
    note: assign(({ context, event }, params: { at: string }) => ({ trail: [...context.trail, `${params.at}:${event.type}`] })),
    count: assign(({ context }) => ({ n: context.n + 1 })),
    // The object form, each field computed from the context before the assignment (n read by both).
    bump: assign({ n: ({ context }) => context.n + 10, trail: ({ context }) => [...context.trail, `bump:${context.n}`] }),
    effect: (_, _params: { what: string }) => {},
  },
  delays: { tick: ({ context }) => 100 + context.n },
}).createMachine({
  id: 'nested',
  initial: 'p',
  context: { trail: [], n: 0 },
  states: {
    p: {
      initial: 'a',
      entry: [{ type: 'note', params: { at: 'enter p' } }, { type: 'effect', params: { what: 'p in' } }],
      exit: { type: 'note', params: { at: 'exit p' } },
      after: { tick: { target: 'out', actions: { type: 'effect', params: { what: 'p timer' } } } },
      on: {
        toB: { target: '.b', actions: { type: 'note', params: { at: 'p→b' } } },
        toOut: { target: 'out', actions: { type: 'note', params: { at: 'p→out' } } },
        again: { target: '.a', actions: 'count' },
        reenterParent: { target: 'p', reenter: true },
        selfParent: { target: 'p' },
        count: { actions: 'count' },
        bump: { actions: 'bump' },
      },
      states: {
        a: {
          entry: { type: 'note', params: { at: 'enter a' } },
          exit: { type: 'note', params: { at: 'exit a' } },
          after: { tick: 'b' },
          // The child's own transition wins over the parent's.
          on: { toB: { target: 'c', actions: { type: 'note', params: { at: 'a→c' } } }, sideways: { target: 'a', reenter: true } },
        },
        b: { entry: { type: 'effect', params: { what: 'b in' } }, on: { sideways: 'c', end: '#nested.done' } },
        c: { exit: { type: 'effect', params: { what: 'c out' } }, on: { sideways: { target: 'b', actions: 'count' } } },
      },
    },
    out: {
      entry: { type: 'note', params: { at: 'enter out' } },
      after: { tick: 'p.c' },
      on: { toParent: 'p', toB: 'p.b', toC: { target: 'p.c', actions: ['bump', 'count'] }, end: 'done' },
    },
    done: { type: 'final', entry: { type: 'effect', params: { what: 'done' } } },
  },
});

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
      'grace.lease.expired', 'probation.lease.declined'].map((t) => ({ type: `xstate.after.${t}` })),
    { type: 'nonsense' },
  ),
);

describe('compiled machines', () => {
  it('step the lease machine exactly as XState does', () => {
    const compiled = compileMachine<unknown, Event, unknown>(leaseMachine)!;
    const input = { ip: '198.51.100.7', subnetId: 1, clientKey: 'hw:1:02', hwAddress: '02', now: 5, holdMs: 60_000 };
    const reference = createXStateStepper<unknown, Event, unknown>(leaseMachine, input);
    expect(compiled).toBeDefined();
    fc.assert(fc.property(fc.array(leaseEvent, { maxLength: 30 }), (events) => sameSteps(compiled, reference, input, events)), { numRuns: runs });
    fc.assert(fc.property(fc.array(leaseEvent, { maxLength: 30 }), (events) => sameStepInto(compiled, input, events)), { numRuns: runs });
    fc.assert(fc.property(fc.array(leaseEvent, { maxLength: 30 }), (events) => sameStepInto(reference, input, events)), { numRuns: runs });
  });

  it('step the transaction machine exactly as XState does', () => {
    const compiled = compileMachine<unknown, Event, unknown>(transactionMachine)!;
    const reference = createXStateStepper<unknown, Event, unknown>(transactionMachine, { clientKey: 'c' });
    const packet = { clientKey: 'c' };
    const event: fc.Arbitrary<Event> = fc.oneof(
      fc.constantFrom('dhcp.discover', 'dhcp.request', 'dhcp.release', 'dhcp.decline', 'dhcp.inform').map((type) => ({ type, packet })),
      fc.constant({ type: 'txn.decided', decision: ACCEPTED }),
      fc.constant({ type: 'txn.checked', decision: drop('not-for-us') }),
      fc.constant({ type: 'txn.conflict' }),
      fc.constant({ type: 'txn.failed', error: 'boom' }),
      fc.constant({ type: 'xstate.after.clientQuiet.transaction.awaitingRequest' }),
    );
    fc.assert(fc.property(fc.array(event, { maxLength: 20 }), (events) => sameSteps(compiled, reference, { clientKey: 'c' }, events)), { numRuns: runs });
    fc.assert(fc.property(fc.array(event, { maxLength: 20 }), (events) => sameAdvance(compiled, { clientKey: 'c' }, events)), { numRuns: runs });
    fc.assert(fc.property(fc.array(event, { maxLength: 20 }), (events) => sameAdvance(reference, { clientKey: 'c' }, events)), { numRuns: runs });
    fc.assert(fc.property(fc.array(event, { maxLength: 20 }), (events) => sameAdvanceInto(compiled, { clientKey: 'c' }, events)), { numRuns: runs });
    fc.assert(fc.property(fc.array(event, { maxLength: 20 }), (events) => sameAdvanceInto(reference, { clientKey: 'c' }, events)), { numRuns: runs });
  });

  it('step a machine with one level of nesting exactly as XState does', () => {
    const compiled = compileMachine<unknown, Event, unknown>(nestedMachine)!;
    const reference = createXStateStepper<unknown, Event, unknown>(nestedMachine, {});
    expect(compiled).toBeDefined();
    const event: fc.Arbitrary<Event> = fc.oneof(
      fc.constantFrom('toParent', 'toB', 'toC', 'toOut', 'again', 'reenterParent', 'selfParent', 'sideways', 'count', 'bump', 'end', 'nonsense')
        .map((type) => ({ type })),
      fc.constantFrom('xstate.after.tick.nested.p', 'xstate.after.tick.nested.p.a', 'xstate.after.tick.nested.out').map((type) => ({ type })),
    );
    fc.assert(fc.property(fc.array(event, { maxLength: 25 }), (events) => sameSteps(compiled, reference, {}, events)), { numRuns: runs });
    fc.assert(fc.property(fc.array(event, { maxLength: 25 }), (events) => sameAdvance(compiled, {}, events)), { numRuns: runs });
    fc.assert(fc.property(fc.array(event, { maxLength: 25 }), (events) => sameAdvanceInto(compiled, {}, events)), { numRuns: runs });
    fc.assert(fc.property(fc.array(event, { maxLength: 25 }), (events) => sameStepInto(compiled, {}, events)), { numRuns: runs });
  });

  it('refuses machines it cannot interpret, so XState runs them', () => {
    const deep = setup({}).createMachine({ initial: 'a', states: { a: { initial: 'x', states: { x: { initial: 'y', states: { y: {} } } } } } });
    const guarded = setup({ guards: { g: () => true } }).createMachine({
      initial: 'a', states: { a: { on: { go: { guard: 'g', target: 'b' } } }, b: {} },
    });
    const sameLeaf = setup({}).createMachine({ initial: 'a', states: { a: { initial: 'x', states: { x: {} } }, x: {} } });
    const finalChild = setup({}).createMachine({ initial: 'a', states: { a: { initial: 'x', states: { x: { type: 'final' } } } } });
    const rootOn = setup({}).createMachine({ initial: 'a', on: { go: '.b' }, states: { a: {}, b: {} } });
    for (const machine of [deep, guarded, sameLeaf, finalChild, rootOn]) expect(compileMachine(machine)).toBeUndefined();
  });
});
