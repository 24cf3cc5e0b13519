// Mutant store: acknowledges a write at once and writes it only when the next one comes (or on close) — the
// "acknowledges before syncing" bug. A crash loses the last acknowledged write.
import { DelegatingLeaseStore } from '../../src/store/delegating-store.js';
import type { LeaseWrite } from '../../src/store/types.js';

export class WriteBehindStore extends DelegatingLeaseStore {
  private pending: (readonly LeaseWrite[])[] = [];

  override async write(writes: readonly LeaseWrite[]): Promise<void> {
    const earlier = this.pending;
    this.pending = [writes];
    for (const w of earlier) await this.inner.write(w);
  }

  override async close(): Promise<void> {
    for (const w of this.pending) await this.inner.write(w);
    this.pending = [];
    await this.inner.close();
  }
}
