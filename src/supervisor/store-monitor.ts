// Watches the lease store's writes and reports its condition: the moment writes start failing (disk full, I/O
// error, read-only file system) and the moment one succeeds again, with how long it was down. The next write
// after a failure is the probe: no separate poller touches the disk.
import type { Clock } from '../clock.js';
import { classify, type DhcpdError } from '../errors.js';
import { DelegatingLeaseStore } from '../store/delegating-store.js';
import type { LeaseStore, LeaseWrite, StoreHealth } from '../store/types.js';

export interface StoreMonitorHooks {
  readonly onUnwritable: (error: DhcpdError) => void;
  readonly onWritable: (downMs: number, failedWrites: number) => void;
}

interface Outage {
  readonly since: number;
  failedWrites: number;
  lastError: string;
}

export class MonitoredStore extends DelegatingLeaseStore {
  private outage: Outage | undefined;

  constructor(
    inner: LeaseStore,
    private readonly clock: Clock,
    private readonly hooks: StoreMonitorHooks,
  ) {
    super(inner);
  }

  /**
   * Not an async function: it runs for every lease write, and its frame and extra promises were garbage per DORA.
   * The writes of one group-commit batch share the store's promise: one watcher is attached to it, at the first of
   * them (before any caller's handler, so the hooks still come first), counting how many it stands for; callers
   * get the promise as it is (no derived promise per write, which lived through the synced commit).
   */
  override write(writes: readonly LeaseWrite[]): Promise<void> {
    let written: Promise<void>;
    try {
      written = this.inner.write(writes);
    } catch (thrown) {
      return Promise.reject(thrown).catch(this.noteFailureAndRethrow);
    }
    if (written === this.watching) {
      this.watched++;
      return written;
    }
    this.watching = written;
    this.watched = 1;
    written.then(
      () => this.settled(written, undefined),
      (thrown: unknown) => this.settled(written, { thrown }),
    );
    return written;
  }

  /** The promise being watched, and how many writes it stands for. */
  private watching: Promise<void> | undefined;
  private watched = 0;

  private settled(written: Promise<void>, failure: { thrown: unknown } | undefined): void {
    const writes = written === this.watching ? this.watched : 1;
    if (written === this.watching) this.watching = undefined;
    if (failure === undefined) this.noteSuccess();
    else this.noteFailure(failure.thrown, writes);
  }

  private noteSuccess(): void {
    const outage = this.outage;
    if (outage === undefined) return;
    this.outage = undefined;
    this.hooks.onWritable(this.clock.now() - outage.since, outage.failedWrites);
  }

  private readonly noteFailureAndRethrow = (thrown: unknown): never => {
    this.noteFailure(thrown);
    throw thrown;
  };

  override health(): StoreHealth {
    const inner = this.inner.health();
    const outage = this.outage;
    if (outage === undefined) return inner;
    return {
      ...inner,
      writable: false,
      lastError: outage.lastError,
      unwritableSince: outage.since,
      failedWrites: outage.failedWrites,
    };
  }

  /** `writes` failed writes, with the same error. */
  private noteFailure(thrown: unknown, writes = 1): void {
    const error = classify(thrown);
    // A malformed write (a programmer error) or a write after close says nothing about the disk.
    if (error.category !== 'store' || error.code === 'DHCPD_ERR_STORE_CLOSED') return;
    if (this.outage !== undefined) {
      this.outage.failedWrites += writes;
      this.outage.lastError = error.message;
      return;
    }
    this.outage = { since: this.clock.now(), failedWrites: writes, lastError: error.message };
    this.hooks.onUnwritable(error);
  }
}
