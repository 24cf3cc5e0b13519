// The lease store contract: every implementation passes test/unit/store/conformance.ts.
import type { LeaseRecord, LeaseTransition } from '../../machines/lease.types.js';

export type { LeaseRecord, LeaseTransition };

export type LeaseWrite =
  | {
      readonly kind: 'put';
      readonly record: LeaseRecord;
      /** The lease's transitions since it was last written; a store with history keeps them in the same commit. */
      readonly transitions?: readonly LeaseTransition[];
    }
  | { readonly kind: 'delete'; readonly ip: string };

export interface StoreHealth {
  readonly writable: boolean;
  readonly lastError?: string;
  readonly pendingWrites: number;
  readonly commits: number;
  /** Since when writes fail (epoch ms), while they do. */
  readonly unwritableSince?: number;
  /** Writes that failed since the store became unwritable. */
  readonly failedWrites?: number;
}

export interface LeaseStore {
  open(): Promise<void>;
  /**
   * Applies the writes atomically and resolves only once they are synced to disk. Concurrent calls share one sync
   * (group commit). Rejects with a StoreError. A store keeps leases by address only: which lease a client holds
   * is the lease book's question (it indexes the leases it loaded), so no store writes a by-client index.
   */
  write(writes: readonly LeaseWrite[]): Promise<void>;
  get(ip: string): Promise<LeaseRecord | undefined>;
  /** Every stored lease, in address-key order. */
  loadAll(): AsyncIterable<LeaseRecord>;
  health(): StoreHealth;
  /** Waits for in-flight commits, then closes. */
  close(): Promise<void>;
}

/**
 * Optional beside LeaseStore: a store that keeps the `transitions` of its writes (bounded per address and by age)
 * and reads them back. A store without it simply ignores them.
 */
export interface LeaseHistoryStore {
  /** The address's stored transitions, oldest first; at most `limit` of the newest. */
  history(ip: string, limit?: number): Promise<LeaseTransition[]>;
}

export function hasHistory<S extends LeaseStore>(store: S): store is S & LeaseHistoryStore {
  return typeof (store as Partial<LeaseHistoryStore>).history === 'function';
}
