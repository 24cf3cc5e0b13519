// Builds the lease store the config names (store.kind): LevelDB on disk, memory-level, or PostgreSQL.
import { Level } from 'level';
import type { ServerConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { LevelLeaseStore, type LevelStoreOptions } from './level-store.js';
import { MemoryLeaseStore } from './memory-store.js';
import type { LeaseStore } from './types.js';

/** Not opened yet: the supervisor opens it (and re-opens it after a failure). */
export function createStore(config: ServerConfig, log: Logger, onCommit?: LevelStoreOptions['onCommit']): LeaseStore {
  const { store } = config;
  const options: LevelStoreOptions = {
    maxBatch: store.maxBatch,
    commitIntervalMs: store.commitIntervalMs,
    logger: log.child({ component: 'store' }),
    location: store.path,
    reopenBackoff: config.supervision.strategies.store.backoff,
    history: config.history,
    ...(onCommit === undefined ? {} : { onCommit }),
  };
  switch (store.kind) {
    case 'memory':
      return new MemoryLeaseStore({ ...options, location: '(in memory)' });
    case 'level':
      return new LevelLeaseStore(new Level<string, string>(store.path, { createIfMissing: true }), options);
    default:
      throw new TypeError(`store kind ${store.kind} is not built in yet`);
  }
}
