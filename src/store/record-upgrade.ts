// Records written before the lease context split `holdUntil` into `graceUntil` and `probationUntil` (and the
// lease machine's `hold` delay into `grace` and `probation`): read in the current shape, so a restart after the
// upgrade neither loses an expired lease's grace nor leaves a declined address held for ever.
import type { LeaseContext, LeaseRecord, LeaseTimer } from '../../machines/lease.types.js';

type LegacyContext = Omit<LeaseContext, 'graceUntil' | 'probationUntil'> & { readonly holdUntil: number };

/** The record in the current shape; the very same object when it already is (the common case costs one check). */
export function upgradeRecord(record: LeaseRecord): LeaseRecord {
  if (!Object.hasOwn(record.context, 'holdUntil')) return record;
  const { holdUntil, ...rest } = record.context as unknown as LegacyContext;
  const declined = record.state === 'declined';
  const context: LeaseContext = { ...rest, graceUntil: declined ? 0 : holdUntil, probationUntil: declined ? holdUntil : 0 };
  return { state: record.state, context, timers: record.timers.map(upgradeTimer) };
}

const LEGACY_TIMERS: Readonly<Record<string, string>> = {
  'xstate.after.hold.lease.expired': 'xstate.after.grace.lease.expired',
  'xstate.after.hold.lease.declined': 'xstate.after.probation.lease.declined',
};

function upgradeTimer(timer: LeaseTimer): LeaseTimer {
  const event = LEGACY_TIMERS[timer.event];
  return event === undefined ? timer : { event, at: timer.at };
}
