// Repairs a damaged LevelDB lease store (LevelDB's RepairDB), for `actor-dhcpd repair-store <path>`.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import { StoreError } from '../errors.js';
import { openLevelStore } from './open.js';
import type { LevelStoreOptions } from './level-store.js';
import { SNAPSHOT_FILE } from './snapshots.js';
import { journalPathOf } from './level-snapshot.js';
import { deltaPathOf } from './snapshot-delta.js';

export interface RepairReport {
  readonly location: string;
  /** Leases readable after the repair. */
  readonly leases: number;
  /** Records that survived the repair but do not decode (loadAll will skip them). */
  readonly corruptRecords: number;
}

/** `level` types Level as plain abstract-level; in Node it is ClassicLevel, which has the static repair. */
interface Repairable {
  repair?: (location: string) => Promise<void>;
}

/**
 * Rebuilds the store's MANIFEST from whatever log and table files are intact, then opens it and counts what is
 * readable. The server must be stopped (LevelDB's lock). Entries in damaged files are lost: back up first.
 */
export async function repairStore(location: string, options: Pick<LevelStoreOptions, 'logger'> = {}): Promise<RepairReport> {
  if (!existsSync(join(location, 'LOCK')) && !existsSync(join(location, 'CURRENT'))) {
    throw new StoreError('DHCPD_ERR_STORE_OPEN', `no lease store at ${location}`, { details: { location } });
  }
  const repair = (Level as unknown as Repairable).repair;
  if (typeof repair !== 'function') {
    throw new StoreError('DHCPD_ERR_STORE_OPEN', 'this LevelDB binding cannot repair stores', { details: { location } });
  }
  try {
    await repair.call(Level, location);
  } catch (error) {
    throw new StoreError('DHCPD_ERR_STORE_CORRUPT', `repair of ${location} failed: ${String(error)}; restore a backup`, {
      cause: error,
      details: { location },
    });
  }
  // The repair changed the content without a commit: a start-up snapshot of the store is no longer its content.
  await rm(join(location, SNAPSHOT_FILE), { force: true });
  await rm(journalPathOf(join(location, SNAPSHOT_FILE)), { force: true });
  await rm(deltaPathOf(join(location, SNAPSHOT_FILE)), { force: true });
  let corruptRecords = 0;
  const store = await openLevelStore(location, { ...options, onCorruptRecord: () => (corruptRecords += 1) });
  let leases = 0;
  try {
    for await (const record of store.loadAll()) if (record !== undefined) leases += 1;
  } finally {
    await store.close();
  }
  return { location, leases, corruptRecords };
}
