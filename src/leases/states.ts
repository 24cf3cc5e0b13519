// Every state of the lease machine, for listings and metrics that report each one (RFC 2131 §4.4 words).
import type { LeaseState } from '../../machines/lease.types.js';

export const LEASE_STATES: readonly LeaseState[] = ['offered', 'bound', 'renewing', 'rebinding', 'expired', 'released', 'declined', 'reclaimed'];
