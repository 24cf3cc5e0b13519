// A pass-through LeaseStore whose acknowledgements go through a fast-check scheduler while one is set (concurrent
// commits then complete in every order fc chooses and shrinks), or are held back entirely (a crash mid-write).
import type fc from 'fast-check';
import { DelegatingLeaseStore } from '../../src/store/delegating-store.js';
import type { LeaseStore, LeaseWrite } from '../../src/store/types.js';

export class GatedStore extends DelegatingLeaseStore {
  /** While set, writes go nowhere and are never acknowledged: the disk is "slow" until the process dies. */
  hold = false;

  constructor(inner: LeaseStore, private readonly scheduler: () => fc.Scheduler | undefined) {
    super(inner);
  }

  override write(writes: readonly LeaseWrite[]): Promise<void> {
    if (this.hold) return new Promise<void>(() => {});
    const written = this.inner.write(writes);
    const scheduler = this.scheduler();
    if (scheduler === undefined) return written;
    return scheduler.schedule(written, `write ${writes.map((w) => (w.kind === 'put' ? `${w.record.context.ip}:${w.record.state}` : w.ip)).join(',')}`);
  }
}
