// A new snapshot from the one in place, its delta file's sections (snapshot-delta.ts) and the current values of the
// addresses written since the last of them (given by the caller): what a clean stop writes, and what a checkpoint's
// merge writes in a worker thread (checkpoint-worker.ts). Only files and bytes here, no database: the worker cannot
// open LevelDB, which the daemon holds.
import { PackedLeases, type LeaseColumns } from '../lease-columns/packed-leases.js';
import { applyChangeList, type Changes } from './snapshot-changes.js';
import { readDeltaChain, sameIdentity, type SnapshotIdentity } from './snapshot-delta.js';
import { readSnapshotAsync, writeSnapshot, type Snapshot } from './snapshot-file.js';

/** How a snapshot from the one in place went: written, or why the caller must build it from every stored lease. */
export type BaseSave = 'written' | 'no-base' | 'unpackable';

export interface MergeTarget {
  /** The snapshot file: the base is read from it, the new snapshot replaces it. */
  readonly path: string;
  readonly storeId: string;
  /** The new snapshot's sequence and fingerprint. */
  readonly seq: number;
  readonly fingerprint: string;
  /** The delta file beside it (snapshot-delta.ts), whose sections come first. */
  readonly deltaPath: string;
  /**
   * The state the changes apply to: the snapshot's, or one its delta sections make ('no-base' when it is neither).
   * Sections after that one are left out (see mergeSnapshot).
   */
  readonly base: SnapshotIdentity;
}

/**
 * Writes the base snapshot with the changes applied. 'unpackable' when a stored record does not pack (nothing is
 * written then). By default the base is read and checked off the main thread when large (snapshot-prefetch.ts).
 */
export async function mergeSnapshot(
  target: MergeTarget,
  changes: Changes,
  readBase: (path: string) => Promise<Snapshot> = (path) => readSnapshotAsync(path),
): Promise<BaseSave> {
  let base: Snapshot;
  let table: PackedLeases;
  let sections: readonly Changes[];
  try {
    base = await readBase(target.path);
    if (base.storeId !== target.storeId) return 'no-base';
    const chain = readDeltaChain(target.deltaPath, target.storeId, base);
    // Sections past the base come from a checkpoint that failed once its section was complete (its sync, say): the
    // journal did not move on, so the changes hold every address they hold, newer or as new.
    const through = chain.sections.findIndex((section) => sameIdentity(section.at, target.base));
    if (through < 0 && !sameIdentity(base, target.base)) return 'no-base';
    sections = chain.sections.slice(0, through + 1).map((section) => section.changes);
    table = PackedLeases.fromColumns(base.columns, base.checked);
  } catch {
    return 'no-base';
  }
  const applied = applyChanges(table, base.ranges, [...sections, changes], 'view');
  if (applied === 'unpackable') return 'unpackable';
  const { columns, ranges } = applied;
  await writeSnapshot(target.path, { storeId: target.storeId, seq: target.seq, fingerprint: target.fingerprint, columns, ranges });
  return 'written';
}

/**
 * Applies the change lists in order to a table loaded whole (lease i in slot i) whose leases' history ranges are
 * `ranges` (first and next per slot): its leases afterwards as columns in slot order, each with its range.
 * 'unpackable' when a stored record does not pack. `columns`: 'view' gives the table's own arrays where it can (a
 * table dropped afterwards), 'copy' arrays of their own (to transfer to another thread).
 */
export function applyChanges(
  table: PackedLeases,
  ranges: Float64Array,
  lists: readonly Changes[],
  columns: 'view' | 'copy',
): { readonly columns: LeaseColumns; readonly ranges: Float64Array } | 'unpackable' {
  // By slot: a table loaded whole has lease i in slot i; slots added later get theirs as they are packed.
  let bySlot = ranges;
  const rangeOf = (ip: number, range: Float64Array | null): void => {
    if (range === null) return;
    const slot = table.slotOf(ip);
    if (2 * slot + 2 > bySlot.length) {
      const grown = new Float64Array(Math.max(2 * slot + 2, bySlot.length * 2));
      grown.set(bySlot);
      bySlot = grown;
    }
    bySlot[2 * slot] = range[0]!;
    bySlot[2 * slot + 1] = range[1]!;
  };
  for (const each of lists) if (!applyChangeList(table, each, rangeOf)) return 'unpackable';
  const runs = table.liveRuns();
  const live = columns === 'view' ? table.image() : table.columns();
  const liveRanges = new Float64Array(2 * live.count);
  for (let r = 0, i = 0; r < runs.length; r += 2) {
    liveRanges.set(bySlot.subarray(2 * runs[r]!, 2 * runs[r + 1]!), 2 * i);
    i += runs[r + 1]! - runs[r]!;
  }
  return { columns: live, ranges: liveRanges };
}
