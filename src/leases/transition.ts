// One lease transition, as the lease book reports it to its listener: the seam for the lease history, the /ui
// page and metrics. Plain data (JSON as it stands) so it can be stored, streamed and printed unchanged.
import type { LeaseRecord, LeaseTransition } from '../../machines/lease.types.js';

export type { LeaseTransition };

/** What made the lease book move a lease: the request being answered (absent for timers). */
export interface TransitionCause {
  readonly xid?: number;
  readonly message?: string;
}

export type TransitionListener = (transition: LeaseTransition) => void;

/** Timer names an operator knows, by the lease machine's delay and the state it leaves. */
const TIMER_NAMES: Readonly<Record<string, string>> = {
  'offerHold.offered': 'timer.offer-hold',
  'renewal.bound': 'timer.T1',
  'rebinding.renewing': 'timer.T2',
  'expiry.rebinding': 'timer.expiry',
  'grace.expired': 'timer.grace',
  'probation.declined': 'timer.probation',
};

/** "xstate.after.renewal.lease.bound" → "timer.T1"; any other event type is kept as it is. */
export function eventName(type: string): string {
  const match = /^xstate\.after\.([^.]+)\.lease\.([^.]+)$/.exec(type);
  if (match === null) return type;
  return TIMER_NAMES[`${match[1]}.${match[2]}`] ?? `timer.${match[1]}`;
}

export function transitionOf(
  before: LeaseRecord | undefined,
  after: LeaseRecord,
  event: string,
  cause: TransitionCause | undefined,
): LeaseTransition {
  const { ip, subnetId, clientKey, changedAt } = after.context;
  return {
    at: changedAt, ip, subnetId, clientKey,
    from: before?.state ?? 'none',
    to: after.state,
    event: eventName(event),
    ...(cause?.xid !== undefined ? { xid: cause.xid } : {}),
    ...(cause?.message !== undefined ? { message: cause.message } : {}),
  };
}
