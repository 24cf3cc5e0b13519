// What the thread that read a snapshot file worked out of it (checked-columns.ts), as the store takes it: plain
// arrays and data, so they cross between threads without a copy.
import type { IntMultimapImage } from '../collections/int-multimap.js';
import type { ColumnsImage } from '../lease-columns/columns-image.js';
import type { TableIndexes } from '../lease-columns/table-indexes.js';
import type { SnapshotIdentity } from './snapshot-delta.js';

export interface CheckedColumns {
  /** The table's slot index (address → lease i), from checkColumns. */
  readonly slots: IntMultimapImage;
  /** For a start only: the same index in arrays of its own, for the store's committed memo (which changes apart). */
  readonly memoSlots?: IntMultimapImage;
  /** For a start only: the lease book's. */
  readonly indexes?: TableIndexes;
  /** For a start whose snapshot has a delta file: its sections applied; the indexes above are of that state. */
  readonly delta?: AppliedDelta;
}

/** The snapshot with its delta file's sections applied: the leases of the state `at`, with their history ranges. */
export interface AppliedDelta {
  /** The snapshot file's own identity. */
  readonly file: { readonly storeId: string; readonly seq: number; readonly fingerprint: string };
  readonly columns: ColumnsImage;
  readonly ranges: Float64Array;
  readonly at: SnapshotIdentity;
  /** As DeltaChain's: the addresses the sections named, and the file's length up to the last of them. */
  readonly entries: number;
  readonly length: number | undefined;
}
