// One lease transition, as the lease book reports it to its listener: the seam for the lease history, the /ui
// page and metrics. Plain data (JSON as it stands) so it can be stored, streamed and printed unchanged.
import type { LeaseRecord } from '../../machines/lease.types.js';

export interface LeaseTransition {
  /** Epoch ms: the moment of the transition (a timer's own deadline for timer transitions). */
  readonly at: number;
  readonly ip: string;
  readonly subnetId: number;
  readonly clientKey: string;
  /** The state before, or "none" when the address had no record. */
  readonly from: string;
  readonly to: string;
  /** The machine event ("lease.commit", …), a timer ("timer.T1", "timer.expiry", …) or "lease.revert". */
  readonly event: string;
  readonly xid?: number;
  /** The message that caused it, e.g. "DHCPREQUEST from 02:00:5e:10:00:01 via 203.0.113.1". */
  readonly message?: string;
}

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
  'hold.expired': 'timer.grace',
  'hold.declined': 'timer.probation',
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
