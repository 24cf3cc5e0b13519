// The LeaseStore on any abstract-level database (classic-level on disk, memory-level in tests): one key per lease
// (its address), its history entries and the commit sequence, written in one atomic synced batch per group commit.
import type { AbstractSublevel } from 'abstract-level';
import { StoreError } from '../errors.js';
import type { LeaseRecord } from '../../machines/lease.types.js';
import { planBatch, type BatchPlan } from './batch-plan.js';
import { CommittedMemo, NOT_STORED, STORED, UNKNOWN } from './committed-memo.js';
import { GroupCommitter, type CommitLimits, type GroupCommitStats, storeCommitOptions } from './group-commit.js';
import { HistoryLog, type HistoryOptions } from './history-log.js';
import type { LevelDatabase } from './level-database.js';
import { LeaseKeyBytes } from './key-bytes.js';
import { addressKey, keyToIp, uint32Key } from './keys.js';
import { dropLegacyClientIndex } from './legacy-client-index.js';
import { mapOpenError, mapReadError } from './open-errors.js';
import { decodeLeaseValue, leaseValueBytes, type LeaseValue } from './lease-value.js';
import { batchOpener, type BatchOpener, type RawBatch } from './raw-batch.js';
import { ReopenGate } from './reopen.js';
import { invalidWrite } from './write-check.js';
import { DEFAULT_STRATEGIES, type BackoffPolicy } from '../config/supervision-policy.js';
import type { TunableCommits } from './tunable.js';
import { LOAD_CHUNK, LOAD_OPTIONS } from './level-read-options.js';
import type { JournalFile } from './journal-file.js';
import {
  databaseFingerprint, discardDelta, discardJournal, journalPathOf, loadSnapshotFile, readMeta, saveSnapshotFile, saveSnapshotFromBase, SEQ_KEY,
  startJournal, type SnapshotFiles, type StoreMeta,
} from './level-snapshot.js';
import { deltaPathOf } from './snapshot-delta.js';
import { SnapshotJournal } from './snapshot-journal.js';
import { StagedValues } from './captured-values.js';
import { Checkpoint, checkpointDue, checkpointKind, DEFAULT_CHECKPOINT, type CheckpointPolicy, type CheckpointResult } from './checkpoint.js';
import type { SnapshotLoad, SnapshotStore } from './snapshots.js';
import type { LeaseHistoryStore, LeaseStore, LeaseTransition, LeaseWrite, StoreHealth } from './types.js';

export type { LevelDatabase };

/** The subset of a pino logger the store uses. */
export interface StoreLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface LevelStoreOptions {
  /** Most LeaseWrites per synced batch (default 1000). */
  readonly maxBatch?: number;
  /** How long an idle committer gathers writes before committing (default 0 = next event-loop turn). */
  readonly commitIntervalMs?: number;
  readonly logger?: StoreLogger;
  /** A stored record that does not decode; it is skipped. Without this callback it is logged as a warning. */
  readonly onCorruptRecord?: (key: string, error: unknown) => void;
  /** Names the store in errors when the database has no `location` (memory-level). */
  readonly location?: string;
  /** Spacing of re-open attempts after a failed write when re-opening fails too (default: the store strategy's). */
  readonly reopenBackoff?: BackoffPolicy;
  readonly now?: () => number;
  /** Each committed batch's size and synced-write duration (metrics). */
  readonly onCommit?: (writes: number, durationMs: number) => void;
  /** Bounds of the lease history (per address, by age). */
  readonly history?: HistoryOptions;
  /**
   * Where the start-up snapshot lives: written at each clean close, used at start-up when no commit came after it
   * (see snapshots.ts). Without it, none is written or read.
   */
  readonly snapshotPath?: string;
  /** When a store that started from its snapshot writes a new one while it serves (checkpoint.ts). */
  readonly checkpoint?: CheckpointPolicy;
  /** false: no snapshot at close (a scratch store thrown away after it closes: the warm-up's). Default true. */
  readonly snapshotAtClose?: boolean;
}

type Sublevel<V> = AbstractSublevel<LevelDatabase, string | Buffer | Uint8Array, string, V>;

/** How often the first commit after a while starts a sweep of history older than the retention. */
const HISTORY_SWEEP_INTERVAL_MS = 3_600_000;
/** After a checkpoint that failed, how long before the next is tried (each reads the whole snapshot file). */
const CHECKPOINT_RETRY_MS = 600_000;

function closedError(): StoreError {
  return new StoreError('DHCPD_ERR_STORE_CLOSED', 'lease store is closed');
}

export class LevelLeaseStore implements LeaseStore, LeaseHistoryStore, TunableCommits, SnapshotStore {
  private readonly leases: Sublevel<Uint8Array>;
  private readonly meta: Sublevel<string>;
  /** Read on first need; `seq` counts every committed batch (written in the batch itself). */
  private stored: StoreMeta | undefined;
  /** The database's fingerprint before this store opened it (see Snapshot.fingerprint). */
  private openedFrom = '';
  private readonly historyLog: HistoryLog;
  private readonly historySublevel: Sublevel<Uint8Array>;
  private lastSweep = -Infinity;
  private sweeping: Promise<void> = Promise.resolve();
  private readonly committer: GroupCommitter<LeaseWrite>;
  private readonly location: string;
  private readonly reopener: ReopenGate;
  private readonly memo = new CommittedMemo();
  /** One synced batch (raw-batch.ts: without abstract-level's per-operation work where the backend allows). */
  private readonly openBatch: BatchOpener;
  private readonly leaseKeys: LeaseKeyBytes;
  /** The commit sequence's key in the root database. */
  private readonly seqKey: string;
  /** Set when the leases came from the snapshot: what was written since, for the next snapshot (level-snapshot.ts). */
  private journal: SnapshotJournal | undefined;
  /** Set then too: each commit's addresses on disk, for a start after a kill -9 (journal-file.ts). */
  private journalFile: JournalFile | undefined;
  /** The checkpoint being written, if any; settled (its outcome applied) when `checkpointing` is. */
  private checkpoint: Checkpoint | undefined;
  private checkpointing: Promise<void> = Promise.resolve();
  /** The values of the commit batch being written, for the journals once it landed (captured-values.ts). */
  private readonly staged = new StagedValues();
  /** The delta file's sections since the snapshot in place (snapshot-delta.ts): how many addresses, and its length. */
  private delta: { entries: number; length: number | undefined } = { entries: 0, length: undefined };
  /** When the journal last started: the load, or the last checkpoint's start. */
  private checkpointClock = 0;
  /** After a failed checkpoint: none before this time. */
  private checkpointNotBefore = 0;
  private readonly decodeWith = (key: string, value: Uint8Array): LeaseValue | undefined => this.decodeAt(key, value);
  private closing: Promise<void> | undefined;

  constructor(
    private readonly db: LevelDatabase,
    private readonly options: LevelStoreOptions = {},
  ) {
    this.leases = db.sublevel<string, Uint8Array>('lease', { keyEncoding: 'utf8', valueEncoding: 'view' });
    this.meta = db.sublevel<string, string>('meta', { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    // Entries are bytes (history-entry.ts); the JSON ones of older versions are UTF-8 bytes too.
    this.historySublevel = db.sublevel<string, Uint8Array>('history', { keyEncoding: 'utf8', valueEncoding: 'view' });
    this.historyLog = new HistoryLog(this.historySublevel, options.history);
    this.openBatch = batchOpener(db);
    this.leaseKeys = new LeaseKeyBytes(this.leases.prefix);
    this.seqKey = this.meta.prefix + SEQ_KEY;
    this.location = options.location ?? (db as { location?: unknown }).location?.toString() ?? '(in memory)';
    this.reopener = new ReopenGate(() => this.reopen(), {
      backoff: options.reopenBackoff ?? DEFAULT_STRATEGIES.store.backoff,
      now: options.now ?? Date.now,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
    this.committer = new GroupCommitter<LeaseWrite>((writes) => this.commit(writes), storeCommitOptions(options));
  }

  async open(): Promise<void> {
    if (this.closing !== undefined) throw closedError();
    if (this.options.snapshotPath !== undefined && this.db.status !== 'open') this.openedFrom = databaseFingerprint(this.location);
    try {
      await this.db.open();
    } catch (error) {
      throw mapOpenError(error, this.location);
    }
    await this.dropLegacyIndex();
  }

  /**
   * A store of an older version: its by-client index is deleted once (see legacy-client-index.ts). Nothing reads
   * it, so a failure (a damaged table) does not fail the open: the read that needs that table reports it.
   */
  private async dropLegacyIndex(): Promise<void> {
    const { logger } = this.options;
    try {
      const ms = await dropLegacyClientIndex(this.db);
      if (ms !== undefined) logger?.info({ evt: 'store.client_index.dropped', ms }, 'deleted the by-client index of an older version');
    } catch (error) {
      logger?.warn({ evt: 'store.client_index.drop_failed', err: error }, 'the old by-client index was not deleted (tried again at the next open)');
    }
  }

  async loadSnapshot(): Promise<SnapshotLoad> {
    if (this.closing !== undefined) throw closedError();
    const { snapshotPath } = this.options;
    if (snapshotPath === undefined) return { ok: false, reason: 'disabled', detail: 'no snapshot path' };
    let meta: StoreMeta;
    try {
      meta = await this.storeMeta();
    } catch (error) {
      throw mapReadError(error, this.location);
    }
    const files = this.snapshotFiles(snapshotPath);
    const loaded = await loadSnapshotFile(files, meta, this.openedFrom);
    if (!loaded.ok) return loaded;
    this.memo.restore(loaded.stored);
    this.memo.committed(loaded.delta.values);
    if (loaded.replayed !== undefined) this.memo.committed(loaded.replayed.values);
    this.delta = { entries: loaded.delta.entries, length: loaded.delta.length };
    this.journal = new SnapshotJournal(loaded.base.seq, loaded.base.fingerprint, loaded.replayed?.addresses);
    this.journalFile = startJournal(files.journalPath, meta, loaded, databaseFingerprint(this.location), this.options.logger);
    this.checkpointClock = this.now();
    return {
      ok: true, leases: loaded.leases, seq: loaded.seq,
      ...(loaded.delta.entries === 0 ? {} : { delta: loaded.delta.entries }),
      ...(loaded.replayed === undefined ? {} : { replayed: loaded.replayed.addresses.length }),
    };
  }

  write(writes: readonly LeaseWrite[]): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(closedError());
    const invalid = invalidWrite(writes);
    if (invalid !== undefined) return Promise.reject(invalid);
    if (writes.length === 0) return Promise.resolve();
    return this.committer.submit(writes);
  }

  async get(ip: string): Promise<LeaseRecord | undefined> {
    const key = addressKey(ip);
    if (this.closing !== undefined) throw closedError();
    let value: Uint8Array | undefined;
    try {
      value = await this.leases.get(key);
    } catch (error) {
      throw mapReadError(error, this.location);
    }
    return value === undefined ? undefined : this.decodeAt(key, value)?.record;
  }

  async *loadAll(): AsyncIterable<LeaseRecord> {
    if (this.closing !== undefined) throw closedError();
    const iterator = this.leases.iterator(LOAD_OPTIONS);
    const scan = this.memo.scan();
    try {
      for (;;) {
        let entries: [string, Uint8Array][];
        try {
          entries = await iterator.nextv(LOAD_CHUNK);
        } catch (error) {
          throw mapReadError(error, this.location);
        }
        if (entries.length === 0) {
          scan.finished();
          return;
        }
        for (const [key, value] of entries) {
          const decoded = this.decodeAt(key, value);
          scan.loaded(key, decoded);
          if (decoded !== undefined) yield decoded.record;
        }
      }
    } finally {
      await iterator.close().catch(() => undefined);
    }
  }

  async history(ip: string, limit?: number): Promise<LeaseTransition[]> {
    if (this.closing !== undefined) throw closedError();
    try {
      return await this.historyLog.read(ip, this.now(), limit);
    } catch (error) {
      throw mapReadError(error, this.location);
    }
  }

  health(): StoreHealth {
    return this.committer.health();
  }

  commitLimits(): CommitLimits {
    return this.committer.limits();
  }

  setCommitLimits(limits: CommitLimits): void {
    this.committer.setLimits(limits);
  }

  commitStats(): GroupCommitStats {
    return this.committer.stats();
  }

  close(): Promise<void> {
    this.closing ??= this.drainAndClose();
    return this.closing;
  }

  private async drainAndClose(): Promise<void> {
    await this.committer.drain();
    await this.sweeping;
    await this.checkpointing;
    if (this.options.snapshotAtClose !== false) await this.saveSnapshot();
    else {
      this.journalFile?.close();
      this.journalFile = undefined;
    }
    try {
      await this.db.close();
    } catch (error) {
      throw new StoreError('DHCPD_ERR_STORE_WRITE', `closing the lease store failed: ${String(error)}`, {
        cause: error,
      });
    }
  }

  /**
   * At a clean close: a snapshot of the stored leases for the next start (always: this open made the last one's
   * fingerprint stale). Nothing fails the close: without a snapshot the next start scans LevelDB.
   */
  private async saveSnapshot(): Promise<void> {
    const { snapshotPath, logger } = this.options;
    if (snapshotPath === undefined || this.db.status !== 'open') return;
    try {
      const meta = { id: (await this.storeMeta()).id, seq: Number(await this.meta.get(SEQ_KEY) ?? 0) };
      const started = Date.now();
      const fingerprint = databaseFingerprint(this.location);
      const decode = this.decodeWith;
      const fromBase = this.journal === undefined
        ? undefined
        : await saveSnapshotFromBase(snapshotPath, meta, fingerprint, this.journal, this.leases);
      let written = true;
      if (fromBase === 'written') {
        logger?.info({ evt: 'store.snapshot.written', seq: meta.seq, from: 'snapshot', written: this.journal!.size, ms: Date.now() - started }, 'lease snapshot written');
      } else if (await saveSnapshotFile(snapshotPath, meta, fingerprint, this.leases, decode)) {
        logger?.info({ evt: 'store.snapshot.written', seq: meta.seq, from: 'scan', ms: Date.now() - started }, 'lease snapshot written');
      } else {
        written = false;
        logger?.warn({ evt: 'store.snapshot.skipped', seq: meta.seq }, 'a stored lease does not pack: no snapshot written');
      }
      // The commit journal and the delta file apply to the previous snapshot: gone with it, else kept for the next start.
      if (written) {
        discardJournal(this.journalFile, journalPathOf(snapshotPath));
        discardDelta(snapshotPath);
      } else {
        this.journalFile?.close();
      }
    } catch (error) {
      this.journalFile?.close();
      logger?.warn({ evt: 'store.snapshot.failed', err: error }, 'lease snapshot not written: the next start scans the store');
    }
    this.journalFile = undefined;
  }

  /**
   * One group-commit batch: the final value per address, then one atomic synced write with its history. Operations
   * go into the batch as they are made, their bytes written into buffers kept for it (raw-batch.ts).
   */
  private async commit(writes: readonly LeaseWrite[]): Promise<void> {
    await this.reopener.ensureOpen();
    const plan = planBatch(writes);
    const { ips, records, transitions } = plan;
    let batch: RawBatch | undefined;
    try {
      // Per address, its history range (first, next; a NaN first: none, as stored): committed, then after this batch.
      const ranges = new Float64Array(2 * ips.length).fill(Number.NaN);
      const stored = await this.committedRanges(plan, ranges);
      batch = this.openBatch();
      const now = this.now();
      for (let i = 0; i < ips.length; i++) {
        const ip = ips[i]!;
        const added = transitions[i];
        if (added !== undefined) {
          if (stored[i] === NOT_STORED) ranges[2 * i] = ranges[2 * i + 1] = this.historyLog.freshStart(now);
          else if (Number.isNaN(ranges[2 * i])) {
            const range = await this.historyLog.readRange(uint32Key(ip));
            ranges[2 * i] = range.first;
            ranges[2 * i + 1] = range.next;
          }
          this.historyLog.append(batch, ip, added, ranges, 2 * i);
        }
        const record = records[i]!;
        const value = record === null ? undefined : leaseValueBytes(record, ranges[2 * i]!, ranges[2 * i + 1]!);
        if (value === undefined) batch.del(this.leaseKeys.of(ip));
        else batch.put(this.leaseKeys.of(ip), value);
        // For the next checkpoint, which would otherwise read it back from LevelDB; noted once the batch landed.
        if (this.journalFile !== undefined) this.staged.add(ip, value);
      }
      const seq = (await this.storeMeta()).seq + 1;
      batch.putText(this.seqKey, String(seq));
      // Between two batches: everything up to seq - 1 landed, nothing after.
      this.maybeCheckpoint(seq - 1);
      // Journalled before it is written: a kill -9 at any point leaves the journal naming every address that landed.
      // And noted for the next clean stop's snapshot: in this batch's journal as it is when the batch is written (a
      // checkpoint may replace the journal between a write's submission and its batch).
      if (this.journal !== undefined) for (const ip of ips) this.journal.noteAddress(ip);
      if (this.journalFile?.append(seq, ips) === false) this.journalFile = undefined;
      this.checkpoint?.noteCommit(seq, ips);
      const written = batch.write();
      batch = undefined;
      await written;
      this.stored = { id: this.stored!.id, seq };
      // In the journal a checkpoint in progress started as well: it follows this one if the checkpoint is written.
      const next = this.checkpoint?.journal;
      this.staged.drain((ip, value) => {
        this.journal?.noteValue(ip, value);
        next?.noteValue(ip, value);
      });
      for (let i = 0; i < ips.length; i++) {
        if (records[i] === null) this.memo.deleted(ips[i]!);
        else this.memo.storedRange(ips[i]!, ranges[2 * i]!, ranges[2 * i + 1]!);
      }
    } catch (error) {
      batch?.discard();
      this.staged.clear();
      // The batch may have landed or not: the commit journal can no longer account for every commit.
      this.journalFile?.discard();
      this.journalFile = undefined;
      this.checkpoint?.abandon();
      this.checkpoint = undefined;
      this.memo.forget();
      this.reopener.markFailed();
      throw error;
    }
    this.maybeSweepHistory();
  }

  private snapshotFiles(snapshotPath: string): SnapshotFiles {
    return { path: snapshotPath, deltaPath: deltaPathOf(snapshotPath), journalPath: journalPathOf(snapshotPath), leases: this.leases, decode: this.decodeWith };
  }

  /**
   * Starts a checkpoint (checkpoint.ts) when one is due: only in a store that started from its snapshot, with its
   * commit journal healthy, one at a time. `landed`: the sequence every commit up to has landed.
   */
  private maybeCheckpoint(landed: number): void {
    const { snapshotPath } = this.options;
    const journal = this.journal;
    if (snapshotPath === undefined || journal === undefined || this.journalFile === undefined || this.checkpoint !== undefined) return;
    if (this.now() < this.checkpointNotBefore) return;
    const policy = this.options.checkpoint ?? DEFAULT_CHECKPOINT;
    if (!checkpointDue(policy, journal.size, this.now() - this.checkpointClock)) return;
    const started = Date.now();
    const how = checkpointKind(policy, this.delta, journal.size, this.memo.size);
    const checkpoint = new Checkpoint(this.snapshotFiles(snapshotPath), { id: this.stored!.id, seq: landed }, databaseFingerprint(this.location), journal, how);
    this.checkpoint = checkpoint;
    this.checkpointClock = this.now();
    const run = { seq: landed, addresses: journal.size, started };
    this.checkpointing = checkpoint.done.then((outcome) => this.checkpointDone(checkpoint, outcome, run));
  }

  private checkpointDone(checkpoint: Checkpoint, outcome: CheckpointResult, run: { seq: number; addresses: number; started: number }): void {
    // Abandoned meanwhile (a commit failed): whatever it wrote is a valid snapshot at its sequence, nothing more.
    if (this.checkpoint !== checkpoint) return;
    this.checkpoint = undefined;
    const { logger, snapshotPath } = this.options;
    if (typeof outcome !== 'object' || outcome instanceof Error) {
      checkpoint.abandon();
      // The delta file may hold part of a section now, or not end where this store thinks: the next one merges.
      this.delta = { entries: Number.POSITIVE_INFINITY, length: undefined };
      // A retry reads the whole file again: not at every commit.
      this.checkpointNotBefore = this.now() + CHECKPOINT_RETRY_MS;
      logger?.warn({ evt: 'store.checkpoint.failed', seq: run.seq, reason: outcome instanceof Error ? outcome.message : outcome },
        'lease snapshot checkpoint not written: the commit journal goes on growing');
      return;
    }
    // The old journal's file is replaced by the checkpoint's (moved to its path).
    this.journalFile?.close();
    this.journalFile = checkpoint.takeJournal(journalPathOf(snapshotPath!));
    this.journal = checkpoint.journal;
    if (outcome.kind === 'delta') {
      this.delta = { entries: this.delta.entries + run.addresses, length: outcome.length };
    } else {
      this.delta = { entries: 0, length: undefined };
      discardDelta(snapshotPath!);
    }
    const ms = Date.now() - run.started;
    // Each checkpoint takes a core (its worker) for about this long: under a flood of new addresses they would follow
    // each other back to back. At most half the time, then (the journal, and a replay, grow meanwhile).
    this.checkpointNotBefore = this.now() + ms;
    logger?.info({ evt: 'store.checkpoint.written', kind: outcome.kind, seq: run.seq, addresses: run.addresses, ms }, 'lease snapshot checkpoint written');
  }

  /** Read on first need, not at open: a damaged table then fails the read that needs it (with the repair hint). */
  private async storeMeta(): Promise<StoreMeta> {
    this.stored ??= await readMeta(this.meta);
    return this.stored;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** In the background, at most hourly; a failed sweep is logged and tried again at the next interval. */
  private maybeSweepHistory(): void {
    const now = (this.options.now ?? Date.now)();
    if (now - this.lastSweep < HISTORY_SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    this.sweeping = this.historyLog.sweep(now).then(
      (deleted) => {
        if (deleted > 0) this.options.logger?.info({ evt: 'store.history.swept', deleted }, 'old lease history deleted');
      },
      (error: unknown) => this.options.logger?.warn({ evt: 'store.history.sweep_failed', err: error }, 'history sweep failed'),
    );
  }

  /**
   * The committed history range of each address of the batch into `ranges` (first, next; left NaN, NaN when stored
   * without one), and whether each is stored: from the memo where it knows them, else read (one getMany).
   */
  private async committedRanges(plan: BatchPlan, ranges: Float64Array): Promise<Uint8Array> {
    const { ips } = plan;
    const stored = new Uint8Array(ips.length);
    let unknown: number[] | undefined;
    for (let i = 0; i < ips.length; i++) {
      const known = this.memo.lookup(ips[i]!, ranges, 2 * i);
      stored[i] = known;
      if (known === UNKNOWN) (unknown ??= []).push(i);
    }
    if (unknown === undefined) return stored;
    const keys = unknown.map((i) => uint32Key(ips[i]!));
    const read = await this.leases.getMany(keys);
    unknown.forEach((i, n) => {
      const value = read[n];
      const history = value === undefined ? undefined : this.decodeAt(keys[n]!, value)?.history;
      stored[i] = value === undefined ? NOT_STORED : STORED;
      if (history !== undefined) {
        ranges[2 * i] = history.first;
        ranges[2 * i + 1] = history.next;
      }
    });
    return stored;
  }

  /** Sublevels do not follow their parent through a re-open: each is opened again. */
  private async reopen(): Promise<void> {
    this.memo.forget();
    await this.db.close();
    try {
      await this.db.open();
      await this.leases.open();
      await this.historySublevel.open();
      await this.meta.open();
      // A failed batch may have landed after all: never count a sequence twice.
      const disk = await readMeta(this.meta);
      this.stored = { id: disk.id, seq: Math.max(disk.seq, (this.stored?.seq ?? -1) + 1) };
    } catch (error) {
      throw mapOpenError(error, this.location);
    }
  }

  /** Decodes a stored value; an unreadable one (or one stored under another address) is reported and skipped. */
  private decodeAt(key: string, value: Uint8Array): LeaseValue | undefined {
    try {
      const decoded = decodeLeaseValue(value);
      if (decoded.record.context.ip !== keyToIp(key)) {
        throw new StoreError('DHCPD_ERR_STORE_CORRUPT', `lease record for ${decoded.record.context.ip} stored under key ${key}`);
      }
      return decoded;
    } catch (error) {
      this.reportCorrupt(key, error);
      return undefined;
    }
  }

  private reportCorrupt(key: string, error: unknown): void {
    try {
      if (this.options.onCorruptRecord !== undefined) this.options.onCorruptRecord(key, error);
      else this.options.logger?.warn({ evt: 'store.record.corrupt', key, err: error }, 'skipped a corrupt lease record');
    } catch {
      // A throwing observer must not turn one bad record into a failed load.
    }
  }
}


