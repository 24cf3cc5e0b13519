// A lease store that hands every call to another one: the base of wrappers that change one or two calls
// (monitoring, fault injection) without restating the rest of the contract.
import type { LeaseRecord, LeaseStore, LeaseWrite, StoreHealth } from './types.js';

export class DelegatingLeaseStore implements LeaseStore {
  constructor(protected readonly inner: LeaseStore) {}

  open(): Promise<void> {
    return this.inner.open();
  }

  write(writes: readonly LeaseWrite[]): Promise<void> {
    return this.inner.write(writes);
  }

  get(ip: string): Promise<LeaseRecord | undefined> {
    return this.inner.get(ip);
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
