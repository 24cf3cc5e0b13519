// Optional beside LeaseStore: a store that can hand its leases over at start-up as one packed table (a snapshot file
// written at its last clean close) instead of one record at a time, which is what makes 10^6 leases ready in about
// a second. A snapshot is used only when it is exactly the store's content: same store, same commit sequence.
import type { PackedLeases } from '../lease-columns/packed-leases.js';
import type { LeaseStore } from './types.js';

/** The daemon's snapshot file, inside the LevelDB directory (LevelDB leaves files it does not know alone). */
export const SNAPSHOT_FILE = 'lease-snapshot.bin';
/** Where the bytes its CRC-32 covers start (after its fixed header: snapshot-file.ts), for a reader that checks as it reads. */
export const SNAPSHOT_CHECKED_FROM = 16;

/** Why no snapshot was used: no file; a torn, damaged or unreadable one; another store's; or commits since. */
export type SnapshotFallback = 'missing' | 'damaged' | 'foreign' | 'stale' | 'disabled';

export type SnapshotLoad =
  /**
   * `delta`: how many addresses the snapshot's delta file applied (checkpoints since it was written); `replayed`: how
   * many were read again after a start from the snapshot and its commit journal (kill -9).
   */
  | { readonly ok: true; readonly leases: PackedLeases; readonly seq: number; readonly delta?: number; readonly replayed?: number }
  | { readonly ok: false; readonly reason: SnapshotFallback; readonly detail: string };

export interface SnapshotStore {
  /**
   * The stored leases as of now, from the snapshot file, or why not (then `loadAll` must be used). Call it once,
   * after `open` and before any write.
   */
  loadSnapshot(): Promise<SnapshotLoad>;
}

export function hasSnapshots<S extends LeaseStore>(store: S): store is S & SnapshotStore {
  return typeof (store as Partial<SnapshotStore>).loadSnapshot === 'function';
}
