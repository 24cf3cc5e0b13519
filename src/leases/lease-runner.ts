// Runs the lease machine without a live actor: pure transitions over stored records (passivation), with the
// machine's `after` timers turned into absolute deadlines that the shared expiry schedule fires.
import { leaseMachine, type LeaseEvent, type LeaseInput } from '../../machines/lease.machine.js';
import type { LeaseContext, LeaseRecord, LeaseState, LeaseTimer } from '../../machines/lease.types.js';
import { isFinal } from './states.js';
import { createStepper, type ExecutableAction, type FlatSnapshot } from '../actors/stepper.js';

type LeaseSnapshot = FlatSnapshot<LeaseContext>;

const stepper = createStepper<LeaseContext, LeaseEvent | TimerEvent, LeaseInput>(leaseMachine, {
  ip: '0.0.0.0', subnetId: 0, clientKey: '', hwAddress: '', now: 0, holdMs: 0,
});

/** Events a timer raises: `xstate.after.<delay>.lease.<state>`. */
export interface TimerEvent {
  readonly type: string;
}

export function startLease(input: LeaseInput): LeaseRecord {
  const [snapshot, actions] = stepper.initial(input);
  return toRecord(snapshot, armTimers([], actions, snapshot.context));
}

/** The record after `event`, or undefined when the machine does not accept the event in its state. */
export function stepLease(record: LeaseRecord, event: LeaseEvent | TimerEvent): LeaseRecord | undefined {
  const snapshot: LeaseSnapshot = { value: record.state, context: record.context, status: isFinal(record.state) ? 'done' : 'active' };
  const [next, actions] = stepper.step(snapshot, event);
  // XState returns the very same snapshot when no transition is enabled (cheaper than asking `can` first).
  if (next === snapshot) return undefined;
  return toRecord(next, armTimers(record.timers, actions, next.context));
}

function toRecord(snapshot: LeaseSnapshot, timers: readonly LeaseTimer[]): LeaseRecord {
  return { state: snapshot.value as LeaseState, context: snapshot.context, timers };
}

/**
 * Applies the machine's delayed raises and cancels to the persisted timer list. Each list is made at its exact size
 * (the list of a step that arms nothing is the record's own, shared: records are never changed): a list grown by
 * push() from empty carries a 16-slot backing store, ~130 bytes more per record, and the lease book keeps its
 * records long enough for them to outlive the young generation.
 */
function armTimers(timers: readonly LeaseTimer[], actions: readonly ExecutableAction[], context: LeaseContext): readonly LeaseTimer[] {
  let armed = timers;
  for (const action of actions) {
    const params = action.params as { delay?: number; event?: { type: string }; sendId?: string } | undefined;
    if (action.type === 'xstate.cancel' && params?.sendId !== undefined) {
      armed = withTimer(armed, params.sendId, undefined);
    } else if (action.type === 'xstate.raise' && params?.delay !== undefined && params.event !== undefined) {
      const event = params.event.type;
      armed = withTimer(armed, event, { event, at: context.changedAt + params.delay });
    }
  }
  return armed;
}

/** What every step that disarms all a lease's timers leaves: one shared empty list. */
const NO_TIMERS: readonly LeaseTimer[] = Object.freeze([]);

/** The list without the timers named `event`, and `added` at its end; the very list when that changes nothing. */
function withTimer(timers: readonly LeaseTimer[], event: string, added: LeaseTimer | undefined): readonly LeaseTimer[] {
  let kept = 0;
  for (let i = 0; i < timers.length; i++) if (timers[i]!.event !== event) kept++;
  if (added === undefined && kept === timers.length) return timers;
  const size = kept + (added === undefined ? 0 : 1);
  if (size === 0) return NO_TIMERS;
  const out = new Array<LeaseTimer>(size);
  let at = 0;
  for (let i = 0; i < timers.length; i++) if (timers[i]!.event !== event) out[at++] = timers[i]!;
  if (added !== undefined) out[at] = added;
  return out;
}
