// Every state and transition of the lease machine, enumerated with xstate/graph and replayed on a live actor.
// xstate/graph does not follow `after` transitions, so the timers' own events (`xstate.after.<delay>.lease.<state>`)
// are offered to the traversal as ordinary events (createTestModel refuses `after`, so TestModel is used); on the
// live actor they are replayed by advancing the SimulatedClock to the deadline in the lease's context, so the real
// timers are what the replay exercises.
import { describe, expect, it } from 'vitest';
import { TestModel, getAdjacencyMap, getShortestPaths, getSimplePaths } from 'xstate/graph';
import type { SnapshotFrom } from 'xstate';
import { leaseMachine, type LeaseEvent } from '../../../machines/lease.machine.js';
import type { LeaseState } from '../../../machines/lease.types.js';
import { LEASE_DIAGRAM } from '../../helpers/lease-diagram.js';
import {
  ALL_STATES, T0, TIMER_OF, afterEvent, externalEvents, leaseInput, startLeaseActor, stateOf, type LeaseHarness,
} from './lease-fixtures.js';

type Snapshot = SnapshotFrom<typeof leaseMachine>;

const TIMER_EVENTS = Object.entries(TIMER_OF).map(([state, t]) => afterEvent(t!.delay, state as LeaseState));
/** The traversal's events: the outside world's, then every timer's (cast: they are not in LeaseEvent). */
const ALL_EVENTS = [...externalEvents(T0 + 1), ...TIMER_EVENTS] as unknown as LeaseEvent[];

/** Context holds timestamps, so a state is identified by its leaf name alone (else the graph never closes). */
const byName = { serializeState: (s: Snapshot) => stateOf(s), input: leaseInput() };

/** The whole transition table, as the diagram draws it: state → event type → next state. */
const EXPECTED = LEASE_DIAGRAM;

describe('lease machine graph', () => {
  it('every state is reachable once timer events are offered', () => {
    const paths = getShortestPaths(leaseMachine, { ...byName, events: ALL_EVENTS });
    expect(paths.map((p) => stateOf(p.state)).sort()).toEqual([...ALL_STATES].sort());
  });

  it('without timer events only offered, bound, released, declined and reclaimed are reachable', () => {
    // Documents why the timer events must be offered: the traversal never waits for `after`.
    const paths = getShortestPaths(leaseMachine, { ...byName, events: externalEvents(T0 + 1) });
    expect(paths.map((p) => stateOf(p.state)).sort()).toEqual(['bound', 'declined', 'offered', 'reclaimed', 'released']);
  });

  it('the transition table is exactly the diagram: every other event is refused', () => {
    const adjacency = getAdjacencyMap(leaseMachine, { ...byName, events: ALL_EVENTS });
    const table: Record<string, Record<string, string>> = {};
    for (const [state, { state: snapshot, transitions }] of Object.entries(adjacency)) {
      const row: Record<string, string> = {};
      for (const { event, state: next } of Object.values(transitions) as { event: { type: string }; state: Snapshot }[]) {
        // A refused event leaves the state as it was, and the very same context (no assign ran).
        if (stateOf(next) !== state || next.context !== snapshot.context) row[event.type] = stateOf(next);
      }
      table[state] = row;
    }
    expect(table).toEqual(EXPECTED);
  });

  it('every simple path ends in a state with a defined way to reach it, and both final states end paths', () => {
    const paths = getSimplePaths(leaseMachine, { ...byName, events: ALL_EVENTS });
    for (const path of paths) {
      let from: LeaseState = 'offered';
      for (const step of path.steps) {
        const to = stateOf(step.state);
        if ((step.event.type as string) !== 'xstate.init') expect(EXPECTED[from][step.event.type]).toBe(to);
        from = to;
      }
    }
    const finals = new Set(paths.map((p) => stateOf(p.state)).filter((v) => v === 'released' || v === 'reclaimed'));
    expect(finals).toEqual(new Set(['released', 'reclaimed']));
  });
});

/** Replays a generated event on the live actor: external events stamped with the clock, timers by waiting. */
function exec(lease: LeaseHarness, event: { type: string }): void {
  if (event.type.startsWith('xstate.after.')) {
    lease.runTimer();
    return;
  }
  lease.advanceTo(lease.clock.now() + 1_000);
  const now = lease.clock.now();
  lease.actor.send({ ...(event as LeaseEvent), now } as LeaseEvent);
}

describe('lease machine test model on a live actor with SimulatedClock', () => {
  // createTestModel refuses machines with `after` ("After events on test machines are not supported"); the
  // TestModel class takes any actor logic, so it is built directly with the timer events offered explicitly.
  const model = new TestModel(leaseMachine, {
    events: ALL_EVENTS,
    input: leaseInput(),
    serializeState: (s) => stateOf(s),
    stateMatcher: (s, key) => stateOf(s) === key,
  });
  const paths = model.getSimplePaths();

  it('generates paths that pass through every state (prefixes are deduplicated, so they all end final)', () => {
    const visited = new Set(paths.flatMap((p) => p.steps.map((s) => stateOf(s.state))));
    expect(visited).toEqual(new Set(ALL_STATES));
    expect(new Set(paths.map((p) => stateOf(p.state)))).toEqual(new Set(['released', 'reclaimed']));
  });

  it('every simple path is replayed by the live actor, timers included', async () => {
    for (const path of paths) {
      const lease = startLeaseActor();
      const events = Object.fromEntries(
        [...new Set(ALL_EVENTS.map((e) => e.type))].map((type) => [type, (step: { event: { type: string } }) => exec(lease, step.event)]),
      );
      const states = Object.fromEntries(ALL_STATES.map((s) => [s, (snap: Snapshot) => {
        expect(lease.state(), path.description).toBe(stateOf(snap));
      }]));
      await path.test({ events, states });
      expect(lease.state()).toBe(stateOf(path.state));
    }
  });
});
