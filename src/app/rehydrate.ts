// Start-up: the lease book filled from the store. From the store's snapshot when it has a valid one (the whole table
// at once), else by a scan of every stored lease; a snapshot that cannot be used is logged and counted by reason.
import type { LeaseBook } from '../leases/lease-book.js';
import type { Logger } from '../log.js';
import type { Stats } from '../server/stats.js';
import { hasSnapshots } from '../store/snapshots.js';
import type { LeaseStore } from '../store/types.js';

/**
 * `snapshots` is the opened store itself (it alone knows its files); `store` is the chain the daemon reads through.
 * Returns how many leases were restored.
 */
export async function rehydrateBook(
  deps: { readonly book: LeaseBook; readonly log: Logger; readonly stats: Stats },
  stores: { readonly snapshots: LeaseStore; readonly store: LeaseStore },
  signal: AbortSignal,
): Promise<{ leases: number }> {
  const { book, log, stats } = deps;
  const started = Date.now();
  if (hasSnapshots(stores.snapshots)) {
    const loaded = await stores.snapshots.loadSnapshot();
    if (loaded.ok) {
      book.loadPacked(loaded.leases);
      stats.count(stats.events, 'store.snapshot.loaded');
      const from = ['snapshot', ...(loaded.delta === undefined ? [] : ['delta']), ...(loaded.replayed === undefined ? [] : ['journal'])].join('+');
      log.info({ evt: 'leases.rehydrated', leases: book.size, from, seq: loaded.seq, delta: loaded.delta, replayed: loaded.replayed, ms: Date.now() - started },
        'leases restored from the store snapshot');
      return { leases: book.size };
    }
    if (loaded.reason !== 'disabled') {
      stats.count(stats.events, `store.snapshot.${loaded.reason}`);
      // No file is the normal first start or a start after a crash; anything else deserves a look.
      const level = loaded.reason === 'missing' || loaded.reason === 'stale' ? 'info' : 'warn';
      log[level]({ evt: 'store.snapshot.unused', reason: loaded.reason, detail: loaded.detail }, 'lease snapshot not used: scanning the store');
    }
  }
  let leases = 0;
  book.holdTimers();
  try {
    for await (const record of stores.store.loadAll()) {
      if (signal.aborted) break;
      book.rehydrate(record);
      leases++;
    }
  } finally {
    book.releaseTimers();
  }
  if (signal.aborted) {
    log.info({ evt: 'leases.rehydrate-stopped', leases }, 'stopping: lease restore abandoned');
    return { leases };
  }
  log.info({ evt: 'leases.rehydrated', leases, from: 'scan', ms: Date.now() - started }, 'leases restored from the store');
  return { leases };
}
