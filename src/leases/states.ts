// Every state of the lease machine, for listings and metrics that report each one (RFC 2131 §4.4 words), and the
// predicates over them: the one home of "final" and "live", which the server's rules read.
import type { LeaseRecord, LeaseState } from '../../machines/lease.types.js';

export const LEASE_STATES: readonly LeaseState[] = ['offered', 'bound', 'renewing', 'rebinding', 'expired', 'released', 'declined', 'reclaimed'];

/** Released or reclaimed: the address is free again; the record only remembers its last client. */
export function isFinal(state: LeaseState): boolean {
  return state === 'released' || state === 'reclaimed';
}

/** Offered, bound, renewing, rebinding, or expired in grace: the client may still use or renew the address. */
export function isLive(state: LeaseState): boolean {
  return !isFinal(state) && state !== 'declined';
}

/** Bound, renewing, rebinding, or expired in grace: a live lease that is more than an offer. */
export function isBinding(state: LeaseState): boolean {
  return isLive(state) && state !== 'offered';
}

/** The record is this client's, whatever its state. */
export function isLeaseOf(record: LeaseRecord | undefined, clientKey: string): record is LeaseRecord {
  return record !== undefined && record.context.clientKey === clientKey;
}

/** The record is a live lease of this client. (A boolean, not a type guard: false does not mean no record.) */
export function isLiveLeaseOf(record: LeaseRecord | undefined, clientKey: string): boolean {
  return record !== undefined && record.context.clientKey === clientKey && isLive(record.state);
}
