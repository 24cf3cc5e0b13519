// A pass-through LeaseStore whose acknowledgements go through a fast-check scheduler while one is set (concurrent
// commits then complete in every order fc chooses and shrinks), or are held back entirely (a crash mid-write).
import type fc from 'fast-check';
import type { LeaseRecord, LeaseStore, LeaseWrite, StoreHealth } from '../../src/store/types.js';

export class GatedStore implements LeaseStore {
  /** While set, writes go nowhere and are never acknowledged: the disk is "slow" until the process dies. */
  hold = false;

  constructor(private readonly inner: LeaseStore, private readonly scheduler: () => fc.Scheduler | undefined) {}

  open(): Promise<void> {
    return this.inner.open();
  }

  write(writes: readonly LeaseWrite[]): Promise<void> {
    if (this.hold) return new Promise<void>(() => {});
    const written = this.inner.write(writes);
    const scheduler = this.scheduler();
    if (scheduler === undefined) return written;
    return scheduler.schedule(written, `write ${writes.map((w) => (w.kind === 'put' ? `${w.record.context.ip}:${w.record.state}` : w.ip)).join(',')}`);
  }

  get(ip: string): Promise<LeaseRecord | undefined> {
    return this.inner.get(ip);
  }

  getByClient(subnetId: number, clientKey: string): Promise<LeaseRecord | undefined> {
    return this.inner.getByClient(subnetId, clientKey);
  }

  loadAll(): AsyncIterable<LeaseRecord> {
    return this.inner.loadAll();
  }

  health(): StoreHealth {
    return this.inner.health();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
