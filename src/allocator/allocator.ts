// Address choice for one subnet (RFC 2131 §4.3.1): existing binding, reservation, requested address, the
// client's outstanding offer, the client's previous address, then the next free one. Pure pool math: it knows nothing of leases or time.
import type { AddressRange } from '../config/types.js';

export interface Candidates {
  /** The address the client is bound to in this subnet (used while still in a pool). */
  readonly existing?: number;
  /** The address the client has been offered and not yet requested: kept unless it asks for another free one. */
  readonly offered?: number;
  /** The client's static reservation in this subnet. */
  readonly reserved?: number;
  /** Option 50 of a DISCOVER. */
  readonly requested?: number;
  /** The address the client had before (released or expired): lease affinity. */
  readonly previous?: number;
}

export type Choice =
  | { readonly kind: 'chosen'; readonly ip: number; readonly reason: keyof Candidates | 'next-free' }
  | { readonly kind: 'exhausted' };

/** Next-fit position, kept per subnet so successive allocations do not rescan the start of the pool. */
export interface Cursor {
  next: number;
}

/** Finds the next free pool address from the cursor: `nextFree` below, or an index that gives the same answer. */
export type NextFreeSearch = (pools: readonly AddressRange[], isFree: (ip: number) => boolean, cursor: Cursor) => number | undefined;

/** `isFree` says whether an address may be given to this client (not bound, held, declined or reserved for another). */
export function chooseAddress(
  pools: readonly AddressRange[],
  candidates: Candidates,
  isFree: (ip: number) => boolean,
  cursor: Cursor,
  search: NextFreeSearch = nextFree,
): Choice {
  const { existing } = candidates;
  // A binding the pools no longer hold (shrunk by a reload) is not offered again: renewals NAK it as invalid.
  if (existing !== undefined && (inPools(pools, existing) || existing === candidates.reserved)) {
    return { kind: 'chosen', ip: existing, reason: 'existing' };
  }
  // A reservation is the client's even outside the pools; the caller has checked no one else holds it.
  if (candidates.reserved !== undefined) return { kind: 'chosen', ip: candidates.reserved, reason: 'reserved' };
  const { requested, offered, previous } = candidates;
  if (requested !== undefined && inPools(pools, requested) && isFree(requested)) return { kind: 'chosen', ip: requested, reason: 'requested' };
  // The offer holds its address for this client, so it is not "free" to it; a shrunk pool drops it.
  if (offered !== undefined && inPools(pools, offered)) return { kind: 'chosen', ip: offered, reason: 'offered' };
  // Lease affinity is a preference only: a client asking for its old address gets it first (above).
  if (previous !== undefined && inPools(pools, previous) && isFree(previous)) return { kind: 'chosen', ip: previous, reason: 'previous' };
  const ip = search(pools, isFree, cursor);
  return ip === undefined ? { kind: 'exhausted' } : { kind: 'chosen', ip, reason: 'next-free' };
}

export function inPools(pools: readonly AddressRange[], ip: number): boolean {
  for (const pool of pools) if (ip >= pool.start && ip <= pool.end) return true;
  return false;
}

export function poolSize(pools: readonly AddressRange[]): number {
  let size = 0;
  for (const pool of pools) size += pool.end - pool.start + 1;
  return size;
}

/** Scans every pool address at most once, starting at the cursor and wrapping around. */
export function nextFree(pools: readonly AddressRange[], isFree: (ip: number) => boolean, cursor: Cursor): number | undefined {
  const total = poolSize(pools);
  if (total === 0) return undefined;
  let offset = ((cursor.next % total) + total) % total;
  for (let scanned = 0; scanned < total; scanned++) {
    const ip = addressAt(pools, offset);
    offset = offset + 1 === total ? 0 : offset + 1;
    if (isFree(ip)) {
      cursor.next = offset;
      return ip;
    }
  }
  return undefined;
}

/** The address at a position counted across all pools in order. */
function addressAt(pools: readonly AddressRange[], offset: number): number {
  let rest = offset;
  for (const pool of pools) {
    const size = pool.end - pool.start + 1;
    if (rest < size) return pool.start + rest;
    rest -= size;
  }
  throw new RangeError(`offset ${offset} outside the pools`);
}
