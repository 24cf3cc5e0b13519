// One lease as a stored value lays it out, read in place: its numbers decoded, its client key and hardware address
// left as byte ranges of the value. A table packs it without building a record, its context, its timer objects and
// their strings (PackedLeases.packFlat): what a start after a crash does for every delta entry and journalled
// address, and a merge for every change. Through a record that cost ~5-8 µs a value at 10^5 of them, flat ~2.5.
import type { LeaseState } from '../../machines/lease.types.js';

/** At most this many timers are read flat (the columns' own limit; a value with more goes through a record). */
export const FLAT_MAX_TIMERS = 4;

/** Filled by a reader (the store's lease-value.ts) and packed at once: one instance is reused for every value. */
export class FlatLease {
  bytes: Uint8Array = new Uint8Array(0);
  ip = 0;
  subnetId = 0;
  state: LeaseState = 'offered';
  /** offerExpiresAt, boundAt, renewAt, rebindAt, expiresAt, graceUntil, probationUntil, changedAt. */
  readonly times = new Float64Array(8);
  /** The history range (NaN, NaN: none). */
  first = Number.NaN;
  next = Number.NaN;
  /** The client key and the hardware address: ASCII bytes of `bytes`, start and end (exclusive). */
  keyStart = 0;
  keyEnd = 0;
  hwStart = 0;
  hwEnd = 0;
  hostname: string | undefined;
  timerCount = 0;
  readonly timerEvents: string[] = new Array<string>(FLAT_MAX_TIMERS).fill('');
  readonly timerAts = new Float64Array(FLAT_MAX_TIMERS);
}
