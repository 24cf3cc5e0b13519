// Types of the lease machine's persisted snapshot: what a lease is, apart from the machine itself.

/** `released` and `reclaimed` are final: the address is free again, the record only remembers its last client. */
export type LeaseState =
  | 'offered'
  | 'bound'
  | 'renewing'
  | 'rebinding'
  | 'expired'
  | 'released'
  | 'declined'
  | 'reclaimed';

/** All times are absolute epoch milliseconds, so a snapshot means the same thing after a restart. */
export interface LeaseContext {
  readonly ip: string;
  readonly subnetId: number;
  /** Client identity: "id:<hex of option 61>" or "hw:<htype>:<mac>". */
  readonly clientKey: string;
  /** "aa:bb:cc:dd:ee:ff" of chaddr. */
  readonly hwAddress: string;
  readonly hostname?: string;
  /** Offered: until when the offer is held. */
  readonly offerExpiresAt: number;
  readonly boundAt: number;
  /** T1, T2 and the end of the lease. */
  readonly renewAt: number;
  readonly rebindAt: number;
  readonly expiresAt: number;
  /** Until when the lease, once expired, may still be renewed (the grace period); set when it is bound. */
  readonly graceUntil: number;
  /** Until when a declined address stays held back (RFC 2131 §4.3.3); set when it is declined. */
  readonly probationUntil: number;
  /** When the last transition happened: timers are measured from it, which keeps the machine free of clocks. */
  readonly changedAt: number;
}

/** A timer the lease machine asked for, with its absolute deadline; persisted so restarts re-arm it. */
export interface LeaseTimer {
  readonly event: string;
  readonly at: number;
}

/** The lease machine's persisted snapshot: what the store keeps and the server rehydrates. */
export interface LeaseRecord {
  readonly state: LeaseState;
  readonly context: LeaseContext;
  readonly timers: readonly LeaseTimer[];
}

/** One lease transition, as the lease book reports it and the store keeps it in the lease's history. Plain data. */
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
