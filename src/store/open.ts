// Factories: the on-disk LevelDB store for the daemon, and an in-memory one for tests and dry runs.
import { Level } from 'level';
import { LEVEL_OPTIONS } from './level-database.js';
import { LevelLeaseStore, type LevelDatabase, type LevelStoreOptions } from './level-store.js';

/** Opens (creating if missing) the LevelDB lease store at `location`; rejects with a StoreError. */
export async function openLevelStore(location: string, options: LevelStoreOptions = {}): Promise<LevelLeaseStore> {
  const db: LevelDatabase = new Level<string, string>(location, LEVEL_OPTIONS);
  return openWith(db, { location, ...options });
}

/** An in-memory store. memory-level is a devDependency, so it is loaded only when this is called. */
export async function openMemoryStore(options: LevelStoreOptions = {}): Promise<LevelLeaseStore> {
  const { MemoryLevel } = await import('memory-level');
  return openWith(new MemoryLevel<string, string>(), { location: '(in memory)', ...options });
}

async function openWith(db: LevelDatabase, options: LevelStoreOptions): Promise<LevelLeaseStore> {
  const store = new LevelLeaseStore(db, options);
  try {
    await store.open();
  } catch (error) {
    // A failed open leaves the database closed already; close() only settles its state.
    await db.close().catch(() => undefined);
    throw error;
  }
  return store;
}
