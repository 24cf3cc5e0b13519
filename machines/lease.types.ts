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
  /** Until when an expired lease may still be renewed, or a declined address stays held back. */
  readonly holdUntil: number;
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
