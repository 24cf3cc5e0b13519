// Runs the lease machine without a live actor: pure transitions over stored records (passivation), with the
// machine's `after` timers turned into absolute deadlines that the shared expiry schedule fires.
import { leaseMachine, type LeaseEvent, type LeaseInput } from '../../machines/lease.machine.js';
import type { LeaseContext, LeaseRecord, LeaseState, LeaseTimer } from '../../machines/lease.types.js';
import { isFinal } from './states.js';
import { createStepper, type ActionSink, type OwnedSnapshot } from '../actors/stepper.js';

const stepper = createStepper<LeaseContext, LeaseEvent | TimerEvent, LeaseInput>(leaseMachine, {
  ip: '0.0.0.0', subnetId: 0, clientKey: '', hwAddress: '', now: 0, holdMs: 0,
});

/** Events a timer raises: `xstate.after.<delay>.lease.<state>`. */
export interface TimerEvent {
  readonly type: string;
}

/**
 * What every step reads and writes besides the records: the snapshot it starts from, the one it ends in, and the
 * actions it executes. Steps are synchronous and never nested (the machine's functions are pure), so one set serves
 * them all, emptied after each step; a step made a snapshot pair, an action list and an object per action before.
 */
const NO_CONTEXT = Object.freeze({}) as LeaseContext;
const from: OwnedSnapshot<LeaseContext> = { value: '', context: NO_CONTEXT, status: 'active' };
const into: OwnedSnapshot<LeaseContext> = { value: '', context: NO_CONTEXT, status: 'active' };
const sink: ActionSink = { types: [], params: [] };
/** A new lease's timers before its first step, and what every step that disarms them all leaves: one shared list. */
const NO_TIMERS: readonly LeaseTimer[] = Object.freeze([]);

export function startLease(input: LeaseInput): LeaseRecord {
  return landed(stepper.initialInto(input, into, sink), NO_TIMERS);
}

/** The record after `event`, or undefined when the machine does not accept the event in its state. */
export function stepLease(record: LeaseRecord, event: LeaseEvent | TimerEvent): LeaseRecord | undefined {
  from.value = record.state;
  from.context = record.context;
  from.status = isFinal(record.state) ? 'done' : 'active';
  let count: number;
  try {
    count = stepper.stepInto(from, event, into, sink);
  } finally {
    from.context = NO_CONTEXT;
  }
  return count < 0 ? undefined : landed(count, record.timers);
}

/** The record the step landed in (`into`, with the `count` actions in the sink), the scratch emptied. */
function landed(count: number, timers: readonly LeaseTimer[]): LeaseRecord {
  const context = into.context;
  const record: LeaseRecord = { state: into.value as LeaseState, context, timers: armTimers(timers, count, context) };
  into.context = NO_CONTEXT;
  for (let i = 0; i < count; i++) sink.params[i] = undefined;
  return record;
}

/**
 * Applies the machine's delayed raises and cancels (the sink's first `count` actions) to the persisted timer list.
 * Each list is made at its exact size (the list of a step that arms nothing is the record's own, shared: records
 * are never changed): a list grown by push() from empty carries a 16-slot backing store, ~130 bytes more per
 * record, and the lease book keeps its records long enough for them to outlive the young generation.
 */
function armTimers(timers: readonly LeaseTimer[], count: number, context: LeaseContext): readonly LeaseTimer[] {
  let armed = timers;
  for (let i = 0; i < count; i++) {
    const type = sink.types[i];
    const params = sink.params[i] as { delay?: number; event?: { type: string }; sendId?: string } | undefined;
    if (type === 'xstate.cancel' && params?.sendId !== undefined) {
      armed = withTimer(armed, params.sendId, undefined);
    } else if (type === 'xstate.raise' && params?.delay !== undefined && params.event !== undefined) {
      const event = params.event.type;
      armed = withTimer(armed, event, { event, at: context.changedAt + params.delay });
    }
  }
  return armed;
}

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
