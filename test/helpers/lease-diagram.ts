// The lease lifecycle as the owner's diagram draws it (RFC 2131 §4.4.5 from the server's side): state → event
// type → next state; timers appear as the events XState raises for them. Any event not listed is refused.
import type { LeaseState } from '../../machines/lease.types.js';

export const LEASE_DIAGRAM: Readonly<Record<LeaseState, Readonly<Record<string, LeaseState>>>> = {
  offered: {
    'lease.offer': 'offered', 'lease.commit': 'bound', 'lease.withdraw': 'reclaimed', 'lease.conflict': 'declined',
    'xstate.after.offerHold.lease.offered': 'reclaimed',
  },
  bound: {
    'lease.commit': 'bound', 'lease.release': 'released', 'lease.decline': 'declined',
    'xstate.after.renewal.lease.bound': 'renewing',
  },
  renewing: {
    'lease.commit': 'bound', 'lease.release': 'released', 'lease.decline': 'declined',
    'xstate.after.rebinding.lease.renewing': 'rebinding',
  },
  rebinding: {
    'lease.commit': 'bound', 'lease.release': 'released', 'lease.decline': 'declined',
    'xstate.after.expiry.lease.rebinding': 'expired',
  },
  expired: { 'lease.commit': 'bound', 'lease.release': 'released', 'xstate.after.grace.lease.expired': 'reclaimed' },
  declined: { 'xstate.after.probation.lease.declined': 'reclaimed' },
  released: {},
  reclaimed: {},
};

export const FINAL_LEASE_STATES: ReadonlySet<LeaseState> = new Set(['released', 'reclaimed']);
