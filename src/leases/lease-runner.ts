// Runs the lease machine without a live actor: pure transitions over stored records (passivation), with the
// machine's `after` timers turned into absolute deadlines that the shared expiry schedule fires.
import { initialTransition, transition } from 'xstate';
import { leaseMachine, type LeaseEvent, type LeaseInput } from '../../machines/lease.machine.js';
import type { LeaseContext, LeaseRecord, LeaseState, LeaseTimer } from '../../machines/lease.types.js';

type LeaseSnapshot = ReturnType<typeof initialTransition<typeof leaseMachine>>[0];
type LeaseActions = ReturnType<typeof initialTransition<typeof leaseMachine>>[1];

/** Events a timer raises: `xstate.after.<delay>.lease.<state>`. */
export interface TimerEvent {
  readonly type: string;
}

export function startLease(input: LeaseInput): LeaseRecord {
  const [snapshot, actions] = initialTransition(leaseMachine, input);
  return toRecord(snapshot, armTimers([], actions, snapshot.context));
}

/** The record after `event`, or undefined when the machine does not accept the event in its state. */
export function stepLease(record: LeaseRecord, event: LeaseEvent | TimerEvent): LeaseRecord | undefined {
  const snapshot = leaseMachine.resolveState({ value: record.state, context: record.context });
  const [next, actions] = transition(leaseMachine, snapshot, event as LeaseEvent);
  // XState returns the very same snapshot when no transition is enabled (cheaper than asking `can` first).
  if (next === snapshot) return undefined;
  return toRecord(next, armTimers(record.timers, actions, next.context));
}

export function isFinal(state: LeaseState): boolean {
  return state === 'released' || state === 'reclaimed';
}

/** The earliest deadline of a record, if it has one. */
export function nextDeadline(record: LeaseRecord): LeaseTimer | undefined {
  let first: LeaseTimer | undefined;
  for (const timer of record.timers) if (first === undefined || timer.at < first.at) first = timer;
  return first;
}

function toRecord(snapshot: LeaseSnapshot, timers: readonly LeaseTimer[]): LeaseRecord {
  return { state: snapshot.value as LeaseState, context: snapshot.context, timers };
}

/** Applies the machine's delayed raises and cancels to the persisted timer list. */
function armTimers(timers: readonly LeaseTimer[], actions: LeaseActions, context: LeaseContext): LeaseTimer[] {
  let armed = timers.slice();
  for (const action of actions) {
    const params = action.params as { delay?: number; event?: { type: string }; sendId?: string } | undefined;
    if ((action.type as string) === 'xstate.cancel' && params?.sendId !== undefined) {
      armed = armed.filter((t) => t.event !== params.sendId);
    } else if (action.type === 'xstate.raise' && params?.delay !== undefined && params.event !== undefined) {
      const event = params.event.type;
      armed = armed.filter((t) => t.event !== event);
      armed.push({ event, at: context.changedAt + params.delay });
    }
  }
  return armed;
}
