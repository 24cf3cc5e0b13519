// Stores written before one key per lease also kept a by-client index ("client" sublevel: "<subnet>/<client key>"
// → address). Nothing reads it any more (the lease book indexes leases by client in memory), so the first open of
// such a store deletes it once; a later open finds it empty after a single seek.
import type { LevelDatabase } from './level-database.js';

/** Deletes the old by-client index if the store has one; how long it took (ms), or undefined when there was none. */
export async function dropLegacyClientIndex(db: LevelDatabase, now: () => number = Date.now): Promise<number | undefined> {
  const index = db.sublevel<string, string>('client', { keyEncoding: 'utf8', valueEncoding: 'utf8' });
  const [first] = await index.keys({ limit: 1 }).all();
  if (first === undefined) return undefined;
  const started = now();
  await index.clear();
  return now() - started;
}
