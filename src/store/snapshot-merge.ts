// A new snapshot from the one in place and the current values of the addresses written since (read from LevelDB by
// the caller): what a clean stop writes, and what a checkpoint writes in a worker thread (checkpoint-worker.ts). Only
// files and bytes here, no database: the worker cannot open LevelDB, which the daemon holds.
import { intToIp } from '../codec/index.js';
import { PackedLeases } from '../lease-columns/packed-leases.js';
import { decodeLeaseValue, type LeaseValue } from './lease-value.js';
import { readSnapshotAsync, writeSnapshot, type Snapshot } from './snapshot-file.js';

/** How a snapshot from the one in place went: written, or why the caller must build it from every stored lease. */
export type BaseSave = 'written' | 'no-base' | 'unpackable';

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

export interface MergeTarget {
  /** The snapshot file: the base is read from it, the new snapshot replaces it. */
  readonly path: string;
  readonly storeId: string;
  /** The new snapshot's sequence and fingerprint. */
  readonly seq: number;
  readonly fingerprint: string;
  /** The snapshot the changes apply to: 'no-base' when the file is not that one. */
  readonly base: { readonly seq: number; readonly fingerprint: string };
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
 * Writes the base snapshot with the changes applied. 'unpackable' when a stored record does not pack (nothing is
 * written then). By default the base is read and checked off the main thread when large (snapshot-prefetch.ts).
 */
export async function mergeSnapshot(
  target: MergeTarget,
  changes: Changes,
  readBase: (path: string) => Promise<Snapshot> = readSnapshotAsync,
): Promise<BaseSave> {
  let base: Snapshot;
  let table: PackedLeases;
  try {
    base = await readBase(target.path);
    if (base.storeId !== target.storeId || base.seq !== target.base.seq || base.fingerprint !== target.base.fingerprint) return 'no-base';
    table = PackedLeases.fromColumns(base.columns);
  } catch {
    return 'no-base';
  }
  // By slot: a table loaded whole has lease i in slot i; slots added later get theirs as they are packed.
  let ranges = base.ranges;
  for (let i = 0, at = 0; i < changes.ips.length; i++) {
    const ip = changes.ips[i]!;
    const length = changes.lengths[i]!;
    const decoded = decodeAt(ip, length < 0 ? undefined : changes.bytes.subarray(at, at + length));
    at += Math.max(length, 0);
    if (decoded === undefined) {
      table.delete(ip);
      continue;
    }
    if (!table.pack(decoded.record)) return 'unpackable';
    const slot = table.slotOf(ip);
    if (2 * slot + 2 > ranges.length) {
      const grown = new Float64Array(Math.max(2 * slot + 2, ranges.length * 2));
      grown.set(ranges);
      ranges = grown;
    }
    ranges[2 * slot] = decoded.history?.first ?? Number.NaN;
    ranges[2 * slot + 1] = decoded.history?.next ?? Number.NaN;
  }
  const runs = table.liveRuns();
  const columns = table.image();
  const liveRanges = new Float64Array(2 * columns.count);
  for (let r = 0, i = 0; r < runs.length; r += 2) {
    liveRanges.set(ranges.subarray(2 * runs[r]!, 2 * runs[r + 1]!), 2 * i);
    i += runs[r + 1]! - runs[r]!;
  }
  await writeSnapshot(target.path, { storeId: target.storeId, seq: target.seq, fingerprint: target.fingerprint, columns, ranges: liveRanges });
  return 'written';
}
