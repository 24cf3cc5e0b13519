// Mutant store: acknowledges a write at once and writes it only when the next one comes (or on close) — the
// "acknowledges before syncing" bug. A crash loses the last acknowledged write.
import type { LeaseRecord, LeaseStore, LeaseWrite, StoreHealth } from '../../src/store/types.js';

export class WriteBehindStore implements LeaseStore {
  private pending: (readonly LeaseWrite[])[] = [];

  constructor(private readonly inner: LeaseStore) {}

  open(): Promise<void> {
    return this.inner.open();
  }

  async write(writes: readonly LeaseWrite[]): Promise<void> {
    const earlier = this.pending;
    this.pending = [writes];
    for (const w of earlier) await this.inner.write(w);
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

  async close(): Promise<void> {
    for (const w of this.pending) await this.inner.write(w);
    this.pending = [];
    await this.inner.close();
  }
}
