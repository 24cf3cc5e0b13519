// store.kind "memory": a LevelLeaseStore on memory-level, loaded when the store opens. memory-level is a
// devDependency (tests, throw-away labs), so a production install without it fails at open with a clear error.
import { StoreError } from '../errors.js';
import type { CommitLimits, GroupCommitStats } from './group-commit.js';
import { LevelLeaseStore, type LevelDatabase, type LevelStoreOptions } from './level-store.js';
import type { TunableCommits } from './tunable.js';
import type { LeaseHistoryStore, LeaseRecord, LeaseStore, LeaseTransition, LeaseWrite, StoreHealth } from './types.js';

export class MemoryLeaseStore implements LeaseStore, LeaseHistoryStore, TunableCommits {
  private inner: LevelLeaseStore | undefined;
  private closed = false;
  /** Until the inner store exists: the limits it will start with. */
  private limits: CommitLimits;

  constructor(private readonly options: LevelStoreOptions = {}) {
    this.limits = { maxBatch: options.maxBatch ?? 1000, commitIntervalMs: options.commitIntervalMs ?? 0 };
  }

  async open(): Promise<void> {
    if (this.closed) throw new StoreError('DHCPD_ERR_STORE_CLOSED', 'lease store is closed');
    if (this.inner === undefined) {
      let db: LevelDatabase;
      try {
        const { MemoryLevel } = await import('memory-level');
        db = new MemoryLevel<string, string>();
      } catch (cause) {
        throw new StoreError('DHCPD_ERR_STORE_OPEN', 'store.kind "memory" needs the memory-level package (npm install memory-level)', { cause });
      }
      this.inner = new LevelLeaseStore(db, { location: '(in memory)', ...this.options, ...this.limits });
    }
    await this.inner.open();
  }

  async write(writes: readonly LeaseWrite[]): Promise<void> {
    return this.opened().write(writes);
  }

  async get(ip: string): Promise<LeaseRecord | undefined> {
    return this.opened().get(ip);
  }

  async *loadAll(): AsyncIterable<LeaseRecord> {
    yield* this.opened().loadAll();
  }

  async history(ip: string, limit?: number): Promise<LeaseTransition[]> {
    return this.inner === undefined ? [] : this.inner.history(ip, limit);
  }

  health(): StoreHealth {
    return this.inner?.health() ?? { writable: true, pendingWrites: 0, commits: 0 };
  }

  commitLimits(): CommitLimits {
    return this.inner?.commitLimits() ?? this.limits;
  }

  setCommitLimits(limits: CommitLimits): void {
    if (this.inner !== undefined) this.inner.setCommitLimits(limits);
    else this.limits = { maxBatch: limits.maxBatch, commitIntervalMs: limits.commitIntervalMs };
  }

  commitStats(): GroupCommitStats {
    return this.inner?.commitStats() ?? {
      writable: true, pending: 0, queuedWrites: 0, commits: 0, failures: 0, committedWrites: 0, commitMs: 0, fullBatches: 0,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.inner?.close();
  }

  private opened(): LeaseStore {
    if (this.inner !== undefined) return this.inner;
    const code = this.closed ? 'DHCPD_ERR_STORE_CLOSED' : 'DHCPD_ERR_STORE_UNAVAILABLE';
    throw new StoreError(code, 'lease store is not open');
  }
}
