// A checkpoint of the start-up snapshot while the store serves, so that a start after a kill -9 reads back a bounded
// number of addresses however long the daemon ran. Without one, the commit journal names every address written since
// the last clean stop and its replay grows with uptime (10^5 addresses: 2.6 s).
// - Started between two commit batches, at the last sequence that landed (S): a new commit journal for the state at
//   S (the ".next" one) starts empty, and every commit from then on is journalled in both.
// - The state at S is the current one with the current value of each address its journal names: the value the
//   journal kept once that batch landed (captured-values.ts), else read again from LevelDB while commits go on. A
//   read may see a value written after S: every such address is in the next journal, so a start from this state
//   reads it again anyway. Every other address holds its value at S.
// - Written as a delta section (snapshot-delta.ts: appended and synced) or merged into a new snapshot (written
//   atomically: snapshot-file.ts), as checkpointKind decides; then the next journal replaces the old one. A kill in
//   between leaves the new state with the ".next" journal, which the loader looks for too (level-snapshot.ts); a
//   kill before leaves the old state and its journal, still complete.
// Off the packet path: LevelDB reads what it must in its own threads, 1,000 at a time; a worker thread merges and
// writes a new snapshot (checkpoint-worker.ts), in this thread only when no worker starts; a delta section is
// appended by the thread pool. What is left on the main thread is measured by bench/checkpoint.bench.ts.
import type { AbstractSublevel } from 'abstract-level';
import { JournalFile } from './journal-file.js';
import type { LevelDatabase } from './level-database.js';
import { moduleWorker } from './module-worker.js';
import { nextJournalPathOf, readChanges, type StoreMeta } from './level-snapshot.js';
import type { Changes } from './snapshot-changes.js';
import { appendDeltaSection } from './snapshot-delta.js';
import { mergeSnapshot, type BaseSave, type MergeTarget } from './snapshot-merge.js';
import { SnapshotJournal } from './snapshot-journal.js';

/** When a store that started from its snapshot writes a checkpoint. */
export interface CheckpointPolicy {
  /** When its commit journal names this many distinct addresses. */
  readonly addresses: number;
  /** Or when this long passed since the start or the last checkpoint with anything written (0: never by time). */
  readonly intervalMs: number;
  /**
   * A checkpoint adds a section to the delta file while its sections and the journal name at most this share of the
   * stored leases, or twice `addresses` (repeats counted); past it, it merges them into a new snapshot. 0: it always
   * merges (checkpointKind).
   */
  readonly deltaShare: number;
}

export const DEFAULT_CHECKPOINT: CheckpointPolicy = { addresses: 20_000, intervalMs: 3_600_000, deltaShare: 0.1 };

/** Whether the journal since the snapshot calls for a checkpoint now. */
export function checkpointDue(policy: CheckpointPolicy, journalled: number, sinceMs: number): boolean {
  if (journalled === 0) return false;
  return journalled >= policy.addresses || (policy.intervalMs > 0 && sinceMs >= policy.intervalMs);
}

/**
 * How a due checkpoint is written: a section of the delta file (`length`: the file's as its last section left it;
 * undefined: it starts anew), or a merge into a new snapshot. A delta section costs the addresses it carries; a merge
 * costs the whole snapshot (~0.8 s of a core at 10^6 leases), and a start after a crash applies every section.
 */
export type CheckpointKind = { readonly kind: 'delta'; readonly length: number | undefined } | { readonly kind: 'merge' };

/**
 * `delta`: the delta file's sections (entries, repeats counted, and length: undefined while there are none);
 * `stored`: how many leases are stored.
 * Below `deltaShare` of them, or twice `addresses`, a delta section: a small store's merge still decodes every value
 * it carries, starts a worker and syncs a file (0.3-0.7 s measured at 20,000-130,000 leases), where a start after a
 * crash applies 40,000 entries in ~0.2 s.
 */
export function checkpointKind(policy: CheckpointPolicy, delta: { entries: number; length: number | undefined }, journalled: number, stored: number): CheckpointKind {
  const bound = policy.deltaShare > 0 ? Math.max(policy.deltaShare * stored, 2 * policy.addresses) : 0;
  if (delta.entries + journalled > bound) return { kind: 'merge' };
  return { kind: 'delta', length: delta.length };
}

/** What a checkpoint wrote: a new snapshot, or a delta section (with the delta file's length after it). */
export type CheckpointOutcome = { readonly kind: 'merge' } | { readonly kind: 'delta'; readonly length: number };
/** Its outcome, or why the merge wrote nothing (the snapshot in place is not the one it started from; a lease that does not pack). */
type Written = CheckpointOutcome | Exclude<BaseSave, 'written'>;
/** How a checkpoint ended: written, not written, or failed. */
export type CheckpointResult = Written | Error;

/** One checkpoint in progress: the snapshot state at `seq` being written, and the journal that follows it. */
export class Checkpoint {
  /** What was written since `seq` (the next clean stop's snapshot is built from the checkpoint with these). */
  readonly journal: SnapshotJournal;
  /** Settles once the state is written, or with why not; never rejects. */
  readonly done: Promise<CheckpointResult>;
  /** Undefined when it could not be written or a commit could not be journalled: a kill -9 then means a scan. */
  private file: JournalFile | undefined;

  /**
   * `meta` is the store at S; `fingerprint` this session's (the database's CURRENT now); `previous` the journal of
   * the snapshot file now in place.
   */
  constructor(
    files: {
      readonly path: string; readonly deltaPath: string; readonly journalPath: string;
      readonly leases: AbstractSublevel<LevelDatabase, string | Buffer | Uint8Array, string, Uint8Array>;
    },
    meta: StoreMeta,
    fingerprint: string,
    previous: SnapshotJournal,
    how: CheckpointKind,
  ) {
    this.journal = new SnapshotJournal(meta.seq, fingerprint);
    try {
      const header = { storeId: meta.id, baseSeq: meta.seq, baseFingerprint: fingerprint, session: fingerprint };
      this.file = JournalFile.start(nextJournalPathOf(files.journalPath), header, [], meta.seq);
    } catch {
      this.file = undefined;
    }
    // A copy: the store goes on noting writes in `previous` meanwhile.
    const ips = Uint32Array.from(previous.addresses());
    const known = previous.takeValues();
    const from = { seq: previous.seq, fingerprint: previous.fingerprint };
    const write = how.kind === 'delta'
      ? async (changes: Changes): Promise<Written> => ({
        kind: 'delta', length: await appendDeltaSection(files.deltaPath, meta.id, { from, at: { seq: meta.seq, fingerprint }, changes }, how.length),
      })
      : async (changes: Changes): Promise<Written> => {
        const target: MergeTarget = { path: files.path, deltaPath: files.deltaPath, storeId: meta.id, seq: meta.seq, fingerprint, base: from };
        const saved = await mergeInWorker(target, changes).catch(() => mergeSnapshot(target, changes));
        return saved === 'written' ? { kind: 'merge' } : saved;
      };
    this.done = readChanges(ips, files.leases, known)
      .then(write)
      .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  }

  /** Commit `seq` (after S) is about to be written, with these addresses. */
  noteCommit(seq: number, addresses: readonly number[]): void {
    for (const ip of addresses) this.journal.noteAddress(ip);
    if (this.file?.append(seq, addresses) === false) this.file = undefined;
  }

  /** The snapshot is in place: its journal moves to `journalPath` (replacing the old one) and is returned. */
  takeJournal(journalPath: string): JournalFile | undefined {
    const file = this.file;
    this.file = undefined;
    try {
      file?.moveTo(journalPath);
      return file;
    } catch {
      file?.discard();
      return undefined;
    }
  }

  /** Given up (a commit failed, or the snapshot was not written): its journal goes. */
  abandon(): void {
    this.file?.discard();
    this.file = undefined;
  }
}

/** mergeSnapshot in a worker thread (module-worker.ts). */
function mergeInWorker(target: MergeTarget, changes: Changes): Promise<BaseSave> {
  return new Promise((resolve, reject) => {
    // The changes' arrays are copied, not transferred: the in-thread fallback may need them after a failed worker.
    const worker = moduleWorker('checkpoint-worker', { target, changes });
    worker.once('message', (message: BaseSave | { error: string }) => {
      if (typeof message === 'string') resolve(message);
      else reject(new Error(message.error));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`checkpoint worker exited (${code})`)));
  });
}
