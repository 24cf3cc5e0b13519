// The LeaseStore on PostgreSQL, shareable by several servers: group commit as one transaction per batch with one
// multi-row statement for its puts (and one for its deletes), each write checked against the version of the row
// it was based on, so the database decides who gets an address; writes resolve only after COMMIT.
import type pg from 'pg';
import { LeaseError, StoreError } from '../../errors.js';
import type { LeaseRecord } from '../../../machines/lease.types.js';
import { GroupCommitter, storeCommitOptions, type CommitLimits, type GroupCommitStats } from '../group-commit.js';
import type { StoreLogger } from '../level-store.js';
import { decodeRecord } from '../record-codec.js';
import type { PeerStatus, RemoteChange, SharedLeaseStore } from '../shared.js';
import type { TunableCommits } from '../tunable.js';
import type { LeaseHistoryStore, LeaseTransition, LeaseWrite, StoreHealth } from '../types.js';
import { invalidWrite } from '../write-check.js';
import { DEFAULT_STRATEGIES, type BackoffPolicy } from '../../config/supervision-policy.js';
import type { HistoryOptions } from '../history-log.js';
import { ChangeFeed } from './change-feed.js';
import { PostgresHistory } from './history.js';
import { clientConfig, createPool, describeDatabase, storeError, withClient, type PostgresConfig } from './connection.js';
import { Heartbeat, type HeartbeatOptions } from './heartbeat.js';
import { checkSchema } from './migrations.js';
import { resolveBatch, type Basis, type CurrentRow, type PendingWrite, type RequestGroup } from './optimistic.js';
import { SQL, type ChangeRow, type CurrentRowWire, type RecordRow } from './statements.js';
import type { PostgresState, PostgresTelemetry } from './telemetry.js';
import { commitBatch } from './commit.js';

export interface PostgresStoreOptions {
  readonly config: PostgresConfig;
  /** Recorded as written_by; changes by this name are not fed back as remote ones. */
  readonly serverName: string;
  readonly maxBatch?: number;
  readonly commitIntervalMs?: number;
  readonly logger?: StoreLogger;
  readonly backoff?: BackoffPolicy;
  /** Heartbeats and peer liveness (scaleOut). */
  readonly heartbeat?: Omit<HeartbeatOptions, 'pool' | 'name' | 'logger'>;
  /** Bounds of the lease history (per address, by age). */
  readonly history?: HistoryOptions;
  /** Each committed batch's size and duration until COMMIT returned (metrics). */
  readonly onCommit?: (writes: number, durationMs: number) => void;
  /** Conflicts, connection errors, sync lag and state for the metrics. */
  readonly telemetry?: PostgresTelemetry;
  /** The clock of the history's retention sweep. */
  readonly now?: () => number;
}

const LOAD_PAGE = 1000;
/** How often the first commit after a while starts a sweep of history older than the retention. */
const HISTORY_SWEEP_INTERVAL_MS = 3_600_000;

function closedError(): StoreError {
  return new StoreError('DHCPD_ERR_STORE_CLOSED', 'lease store is closed');
}

export class PostgresLeaseStore implements SharedLeaseStore, LeaseHistoryStore, TunableCommits {
  private pool: pg.Pool | undefined;
  private feed: ChangeFeed | undefined;
  private heartbeat: Heartbeat | undefined;
  private readonly committer: GroupCommitter<PendingWrite>;
  /** The version of each row this server last read or wrote (null: known absent). */
  private readonly versions = new Map<string, number | null>();
  /** This server's newest write per address not yet committed: later writes to it are based on it. */
  private readonly unsettled = new Map<string, PendingWrite>();
  /** The basis of a record object when first submitted, so a retry of the same change keeps it. */
  private readonly bases = new WeakMap<LeaseRecord, Basis>();
  private readonly listeners = new Set<(change: RemoteChange) => void>();
  private readonly location: string;
  private readonly historyLog: PostgresHistory;
  private lastSweep = Number.NEGATIVE_INFINITY;
  private sweeping: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;

  constructor(private readonly options: PostgresStoreOptions) {
    this.location = describeDatabase(options.config);
    this.historyLog = new PostgresHistory(options.history);
    options.telemetry?.attach(() => this.state());
    this.committer = new GroupCommitter<PendingWrite>((writes) => this.commit(writes), storeCommitOptions(options));
  }

  /** Connects, checks the schema version, and starts following other servers' changes. Idempotent. */
  async open(): Promise<void> {
    if (this.closing !== undefined) throw closedError();
    if (this.pool !== undefined) return;
    const { config, logger, serverName, telemetry } = this.options;
    // Only the message: pg hangs the whole client object on the error.
    const pool = createPool(config, `actor-dhcpd ${serverName}`, (error) => {
      logger?.warn({ evt: 'store.connection.lost', reason: error.message }, 'a lease database connection dropped');
      telemetry?.connectionError('idle');
    });
    try {
      await withClient(pool, (client) => checkSchema(client));
      const feed = new ChangeFeed({
        pool,
        listenConfig: clientConfig(config, `actor-dhcpd ${serverName} feed`),
        pollIntervalMs: config.pollIntervalMs,
        backoff: this.options.backoff ?? DEFAULT_STRATEGIES.store.backoff,
        onRow: (row) => this.onChange(row),
        onConnectionError: () => telemetry?.connectionError('feed'),
        ...(logger === undefined ? {} : { logger }),
      });
      await feed.start();
      this.feed = feed;
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw storeError('DHCPD_ERR_STORE_OPEN', `cannot open the lease database ${this.location}`, error);
    }
    this.pool = pool;
    if (this.options.heartbeat !== undefined) {
      this.heartbeat = new Heartbeat({
        ...this.options.heartbeat, pool, name: serverName, ...(logger === undefined ? {} : { logger }),
        onError: () => telemetry?.connectionError('heartbeat'),
      });
      this.heartbeat.start();
    }
  }

  write(writes: readonly LeaseWrite[]): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(closedError());
    if (this.pool === undefined) return Promise.reject(new StoreError('DHCPD_ERR_STORE_UNAVAILABLE', 'lease store is not open'));
    const invalid = invalidWrite(writes);
    if (invalid !== undefined) return Promise.reject(invalid);
    if (writes.length === 0) return Promise.resolve();
    const group: RequestGroup = {};
    const pending = writes.map((write) => this.pend(write, group));
    return this.committer.submit(pending).then(
      () => this.settled(pending, group),
      (error: unknown) => {
        for (const p of pending) this.settle(p, 'failed');
        throw error;
      },
    );
  }

  async get(ip: string): Promise<LeaseRecord | undefined> {
    const rows = await this.read<RecordRow>(SQL.get, [ip]);
    return rows[0] === undefined ? undefined : this.decodeRow(rows[0]);
  }

  async *loadAll(): AsyncIterable<LeaseRecord> {
    let after: string | null = null;
    for (;;) {
      const rows: RecordRow[] = await this.read<RecordRow>(SQL.loadPage, [after, LOAD_PAGE]);
      for (const row of rows) {
        const record = this.decodeRow(row);
        if (record !== undefined) yield record;
      }
      if (rows.length < LOAD_PAGE) return;
      after = rows[rows.length - 1]!.ip;
    }
  }

  async history(ip: string, limit?: number): Promise<LeaseTransition[]> {
    const pool = this.openPool();
    try {
      return await this.historyLog.read(pool, ip, limit);
    } catch (error) {
      throw storeError('DHCPD_ERR_STORE_READ', 'lease history read failed', error);
    }
  }

  health(): StoreHealth {
    return this.committer.health();
  }

  // Adaptive tuning (src/tuning/): the same committer knobs as the LevelDB store. A batch is one transaction, so a
  // wider window trades ACK latency for fewer round trips and COMMITs, exactly as it trades fsyncs on LevelDB.
  commitLimits(): CommitLimits {
    return this.committer.limits();
  }

  setCommitLimits(limits: CommitLimits): void {
    this.committer.setLimits(limits);
  }

  commitStats(): GroupCommitStats {
    return this.committer.stats();
  }

  watchRemote(listener: (change: RemoteChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  peerStatus(): PeerStatus | undefined {
    return this.heartbeat?.status();
  }

  /** For the metrics, at each scrape. */
  state(): PostgresState {
    const pool = this.pool;
    return {
      pool: { total: pool?.totalCount ?? 0, idle: pool?.idleCount ?? 0, waiting: pool?.waitingCount ?? 0 },
      listening: this.feed?.listening ?? false,
      ...(this.heartbeat === undefined ? {} : {
        heartbeat: { last: this.heartbeat.lastView(), fresh: this.heartbeat.status() !== undefined },
      }),
    };
  }

  close(): Promise<void> {
    this.closing ??= this.drainAndClose();
    return this.closing;
  }

  private async drainAndClose(): Promise<void> {
    await this.committer.drain();
    await this.sweeping;
    await this.heartbeat?.stop();
    await this.feed?.stop();
    await this.pool?.end().catch(() => undefined);
  }

  /** Captures what the write is based on: this server's unsettled write of the address, or the version it saw. */
  private pend(write: LeaseWrite, group: RequestGroup): PendingWrite {
    const ip = write.kind === 'put' ? write.record.context.ip : write.ip;
    let basis: Basis;
    if (write.kind === 'put' && this.bases.has(write.record)) basis = this.bases.get(write.record)!;
    else basis = this.unsettled.get(ip) ?? this.versions.get(ip) ?? null;
    if (write.kind === 'put') this.bases.set(write.record, basis);
    const pending: PendingWrite = { write, ip, group, basis, state: 'pending' };
    this.unsettled.set(ip, pending);
    return pending;
  }

  private settle(pending: PendingWrite, state: PendingWrite['state']): void {
    if (pending.state === 'pending') pending.state = state;
    if (this.unsettled.get(pending.ip) === pending) this.unsettled.delete(pending.ip);
  }

  private settled(pending: readonly PendingWrite[], group: RequestGroup): void {
    for (const p of pending) this.settle(p, group.lost === undefined ? 'applied' : 'lost');
    if (group.lost === undefined) return;
    this.options.telemetry?.conflictLost();
    const { ip, holder } = group.lost;
    throw new LeaseError('DHCPD_ERR_LEASE_TAKEN', `lease ${ip} was changed by another server first`, {
      details: { ip, ...(holder === undefined ? {} : { holder }) },
    });
  }

  /** One batch: lock, read the touched rows' versions, keep the writes still based on them, write, commit. */
  private async commit(writes: readonly PendingWrite[]): Promise<void> {
    const pool = this.pool;
    if (pool === undefined) throw closedError();
    await commitBatch(pool, this.options.serverName, writes, {
      resolve: (rows) => {
        const current = new Map<string, CurrentRow>();
        for (const r of rows) current.set(r.ip, toCurrent(r));
        return resolveBatch(writes, current);
      },
      alsoWrite: (client, outcome) => this.historyLog.write(client, outcome.written, this.options.serverName),
      committed: (outcome, seqs, rows) => {
        for (const w of outcome.winners) {
          const row = rows.find((r) => r.ip === w.ip);
          w.seq = seqs.get(w.ip) ?? (row === undefined ? undefined : Number(row.seq));
          w.state = 'applied';
          this.versions.set(w.ip, w.seq ?? null);
        }
        // A loser learns the row that beat it at once; the feed would bring it a moment later.
        for (const w of outcome.losers) {
          w.state = 'lost';
          const row = rows.find((r) => r.ip === w.ip);
          if (row !== undefined) this.applyRemote(w.ip, Number(row.seq), row.deleted ? undefined : row.record);
        }
      },
    });
    this.maybeSweepHistory(pool);
  }

  /** In the background, at most hourly; a failed sweep is logged and tried again at the next interval. */
  private maybeSweepHistory(pool: pg.Pool): void {
    const now = (this.options.now ?? Date.now)();
    if (now - this.lastSweep < HISTORY_SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    this.sweeping = this.historyLog.sweep(pool, now).then(
      (deleted) => {
        if (deleted > 0) this.options.logger?.info({ evt: 'store.history.swept', deleted }, 'old lease history deleted');
      },
      (error: unknown) => this.options.logger?.warn({ evt: 'store.history.sweep_failed', err: error }, 'history sweep failed'),
    );
  }

  private onChange(row: ChangeRow): void {
    if (row.written_by === this.options.serverName) return;
    this.options.telemetry?.remoteChange(Number(row.lag_ms));
    this.applyRemote(row.ip, Number(row.seq), row.deleted ? undefined : row.record);
  }

  /** A committed row newer than what this server saw goes to the listeners (the lease book). */
  private applyRemote(ip: string, seq: number, value: unknown): void {
    const seen = this.versions.get(ip);
    if (seen !== undefined && seen !== null && seen >= seq) return;
    this.versions.set(ip, seq);
    let record: LeaseRecord | undefined;
    if (value !== undefined) {
      record = this.decode(ip, typeof value === 'string' ? value : JSON.stringify(value));
      if (record === undefined) return;
    }
    for (const listener of this.listeners) {
      try {
        listener({ ip, record });
      } catch (error) {
        this.options.logger?.error({ evt: 'store.feed.listener_failed', err: error, ip }, 'applying a lease change failed');
      }
    }
  }

  private openPool(): pg.Pool {
    if (this.closing !== undefined) throw closedError();
    if (this.pool === undefined) throw new StoreError('DHCPD_ERR_STORE_UNAVAILABLE', 'lease store is not open');
    return this.pool;
  }

  private async read<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
    const pool = this.openPool();
    try {
      return (await pool.query<R>(sql, params)).rows;
    } catch (error) {
      throw storeError('DHCPD_ERR_STORE_READ', 'lease database read failed', error);
    }
  }

  /** Rows read for a lookup also tell this server which version it saw. */
  private decodeRow(row: RecordRow): LeaseRecord | undefined {
    const seq = Number(row.seq);
    const seen = this.versions.get(row.ip);
    if (seen === undefined || seen === null || seen < seq) this.versions.set(row.ip, seq);
    return this.decode(row.ip, row.record);
  }

  private decode(ip: string, text: string): LeaseRecord | undefined {
    try {
      const record = decodeRecord(text);
      if (record.context.ip !== ip) throw new StoreError('DHCPD_ERR_STORE_CORRUPT', `lease record for ${record.context.ip} stored under ${ip}`);
      return record;
    } catch (error) {
      this.options.logger?.warn({ evt: 'store.record.corrupt', key: ip, err: error }, 'skipped a corrupt lease record');
      return undefined;
    }
  }
}

function toCurrent(row: CurrentRowWire): CurrentRow {
  return { seq: Number(row.seq), deleted: row.deleted, clientKey: row.client_key, record: row.record };
}
