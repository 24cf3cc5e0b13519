// What changed since a snapshot, as the stored values of the addresses written: what a checkpoint reads from LevelDB,
// keeps in a delta file (snapshot-delta.ts) or merges into a new snapshot (snapshot-merge.ts).
import { intToIp } from '../codec/index.js';
import { FlatLease } from '../lease-columns/flat-lease.js';
import type { PackedLeases } from '../lease-columns/packed-leases.js';
import { decodeLeaseValue, readFlatValue, type LeaseValue } from './lease-value.js';

/**
 * The addresses written since the base and what each stored value is now, back to back in `bytes` (length -1: none).
 * Three arrays rather than one per value, for a worker thread to take over without copying.
 */
export interface Changes {
  readonly ips: Uint32Array;
  readonly lengths: Int32Array;
  readonly bytes: Uint8Array;
}

/** The values as Changes (undefined: none). */
export function packChanges(ips: Uint32Array, values: readonly (Uint8Array | undefined)[]): Changes {
  const lengths = new Int32Array(values.length);
  let total = 0;
  values.forEach((value, i) => {
    lengths[i] = value === undefined ? -1 : value.length;
    total += value?.length ?? 0;
  });
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const value of values) {
    if (value === undefined) continue;
    bytes.set(value, at);
    at += value.length;
  }
  return { ips, lengths, bytes };
}

/** The stored value as the store decodes it, or undefined when it does not decode or is another address's. */
export function decodeAt(ip: number, value: Uint8Array | undefined): LeaseValue | undefined {
  if (value === undefined) return undefined;
  try {
    const decoded = decodeLeaseValue(value);
    return decoded.record.context.ip === intToIp(ip) ? decoded : undefined;
  } catch {
    return undefined;
  }
}

/** What applying one stored value to a table did (see applyValue). */
export type ValueApplied = 'packed' | 'deleted' | 'unpackable';

/** A value decoded into a record: undefined when there is none, or it does not decode, or is another address's. */
export type ValueDecoder = (ip: number, value: Uint8Array | undefined) => LeaseValue | undefined;

const FLAT = new FlatLease();

/**
 * Applies the address's stored value to the table: packed in place of the address's lease ('packed', its history
 * range into range[0] and range[1], NaN: none), or the address's lease deleted when there is no value or one that
 * does not decode ('deleted': a scan skips it too), or 'unpackable' when the columns cannot hold the lease. A binary
 * value of the usual shape is packed as it is read (readFlatValue, ~1 µs); any other is decoded by `decode` first.
 */
export function applyValue(
  table: PackedLeases, ip: number, value: Uint8Array | undefined, range: Float64Array, decode: ValueDecoder = decodeAt,
): ValueApplied {
  if (value !== undefined && readFlatValue(value, ip, FLAT)) {
    if (!table.packFlat(FLAT)) return 'unpackable';
    range[0] = FLAT.first;
    range[1] = FLAT.next;
    return 'packed';
  }
  return applyThroughRecord(table, ip, value, range, decode);
}

/** As applyValue, the value decoded into a record first whatever its shape: the path every value took before. */
export function applyThroughRecord(
  table: PackedLeases, ip: number, value: Uint8Array | undefined, range: Float64Array, decode: ValueDecoder = decodeAt,
): ValueApplied {
  const decoded = decode(ip, value);
  if (decoded === undefined) {
    table.delete(ip);
    return 'deleted';
  }
  if (!table.pack(decoded.record)) return 'unpackable';
  range[0] = decoded.history?.first ?? Number.NaN;
  range[1] = decoded.history?.next ?? Number.NaN;
  return 'packed';
}

/**
 * Applies each change in order (applyValue); `each` hears of every address applied, with its history range (a NaN
 * first: none) or null when deleted. False at the first lease that does not pack.
 */
export function applyChangeList(
  table: PackedLeases,
  changes: Changes,
  each: (ip: number, range: Float64Array | null) => void,
  decode: ValueDecoder = decodeAt,
): boolean {
  const range = new Float64Array(2);
  for (let i = 0, at = 0; i < changes.ips.length; i++) {
    const ip = changes.ips[i]!;
    const length = changes.lengths[i]!;
    const applied = applyValue(table, ip, length < 0 ? undefined : changes.bytes.subarray(at, at + length), range, decode);
    at += Math.max(length, 0);
    if (applied === 'unpackable') return false;
    each(ip, applied === 'packed' ? range : null);
  }
  return true;
}
