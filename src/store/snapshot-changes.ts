// What changed since a snapshot, as the stored values of the addresses written: what a checkpoint reads from LevelDB,
// keeps in a delta file (snapshot-delta.ts) or merges into a new snapshot (snapshot-merge.ts).
import { intToIp } from '../codec/index.js';
import { decodeLeaseValue, type LeaseValue } from './lease-value.js';

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

/**
 * Each change in order, decoded (undefined: the address holds no lease now, as a scan would skip it). Stops at the
 * first for which `each` returns false, and returns false then.
 */
export function forEachChange(changes: Changes, each: (ip: number, decoded: LeaseValue | undefined) => boolean): boolean {
  for (let i = 0, at = 0; i < changes.ips.length; i++) {
    const ip = changes.ips[i]!;
    const length = changes.lengths[i]!;
    const decoded = decodeAt(ip, length < 0 ? undefined : changes.bytes.subarray(at, at + length));
    at += Math.max(length, 0);
    if (!each(ip, decoded)) return false;
  }
  return true;
}
