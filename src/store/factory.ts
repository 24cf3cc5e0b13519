// Builds the lease store the config names (store.kind): LevelDB on disk, memory-level, or PostgreSQL.
import { join } from 'node:path';
import { Level } from 'level';
import type { ServerConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { LEVEL_OPTIONS } from './level-database.js';
import { LevelLeaseStore, type LevelStoreOptions } from './level-store.js';
import { MemoryLeaseStore } from './memory-store.js';
import { SNAPSHOT_FILE } from './snapshots.js';
import type { PostgresLeaseStore } from './postgres/pg-store.js';
import type { PostgresTelemetry } from './postgres/telemetry.js';
import type { LeaseStore } from './types.js';

/** What the daemon adds to the config: its version (checked against the database schema) and a commit observer. */
export interface StoreExtras {
  readonly version?: string;
  readonly onCommit?: LevelStoreOptions['onCommit'];
  /** The PostgreSQL store's own metrics. */
  readonly telemetry?: PostgresTelemetry;
  /** LevelDB: false for a scratch store removed once closed (no snapshot written at its close). */
  readonly snapshotAtClose?: boolean;
}

/**
 * Not opened yet: the supervisor opens it (and re-opens it after a failure). Asynchronous because the PostgreSQL store
 * is imported only when configured: pg and its protocol modules cost ~130 ms of a LevelDB daemon's start otherwise.
 */
export async function createStore(config: ServerConfig, log: Logger, extras: StoreExtras = {}): Promise<LeaseStore> {
  const { version = 'unknown', onCommit, snapshotAtClose } = extras;
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
      return new LevelLeaseStore(new Level<string, string>(store.path, LEVEL_OPTIONS), {
        ...options, snapshotPath: join(store.path, SNAPSHOT_FILE), checkpoint: store.checkpoint,
        ...(snapshotAtClose === undefined ? {} : { snapshotAtClose }),
      });
    case 'postgres':
      return createPostgresStore(config, log, version, extras);
  }
}

async function createPostgresStore(config: ServerConfig, log: Logger, version: string, extras: StoreExtras): Promise<PostgresLeaseStore> {
  const { store, scaleOut } = config;
  const { onCommit, telemetry } = extras;
  // compile.ts rejects store.kind "postgres" without its section.
  if (store.postgres === undefined) throw new TypeError('store.kind "postgres" without store.postgres');
  const { PostgresLeaseStore } = await import('./postgres/pg-store.js');
  return new PostgresLeaseStore({
    config: store.postgres,
    serverName: scaleOut?.self ?? 'single',
    maxBatch: store.maxBatch,
    commitIntervalMs: store.commitIntervalMs,
    logger: log.child({ component: 'store' }),
    backoff: config.supervision.strategies.store.backoff,
    history: config.history,
    ...(onCommit === undefined ? {} : { onCommit }),
    ...(telemetry === undefined ? {} : { telemetry }),
    ...(scaleOut === undefined ? {} : {
      heartbeat: { intervalMs: scaleOut.heartbeatMs, peerTimeoutMs: scaleOut.peerTimeoutMs, version },
    }),
  });
}
