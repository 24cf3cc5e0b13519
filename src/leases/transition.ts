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
  // Every request's transition (lease.offer, lease.commit, …) without running the pattern: twice per DORA.
  if (!type.startsWith('xstate.after.')) return type;
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
  const from = before?.state ?? 'none';
  const to = after.state;
  const name = eventName(event);
  // Literals of one shape each, not spreads of `{ xid }` and `{ message }` into one (two objects copied per call,
  // on a runtime path): a request's transition has both, a timer's neither. Two per DORA, kept until their write.
  const xid = cause?.xid;
  const message = cause?.message;
  if (xid !== undefined && message !== undefined) return { at: changedAt, ip, subnetId, clientKey, from, to, event: name, xid, message };
  if (xid === undefined && message === undefined) return { at: changedAt, ip, subnetId, clientKey, from, to, event: name };
  return {
    at: changedAt, ip, subnetId, clientKey, from, to, event: name,
    ...(xid !== undefined ? { xid } : {}),
    ...(message !== undefined ? { message } : {}),
  };
}
