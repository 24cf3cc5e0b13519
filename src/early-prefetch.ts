// The CLI's first import, so it runs before the daemon's other modules are evaluated: for `actor-dhcpd --config FILE`
// with a LevelDB store, starts reading that store's snapshot file in the background (store/snapshot-prefetch.ts).
// The config is only peeked at here (no validation, no defaults): a config this misreads just gets no prefetch, and
// whatever is prefetched is checked by the store like a file it reads itself.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { prefetchSnapshot } from './store/snapshot-prefetch.js';
import { SNAPSHOT_FILE } from './store/snapshots.js';

const [command, file] = process.argv.slice(2);
if ((command === '--config' || command === '-c') && file !== undefined) prefetchFor(file);

function prefetchFor(configFile: string): void {
  let store: unknown;
  try {
    store = (JSON.parse(readFileSync(configFile, 'utf8')) as { store?: unknown } | null)?.store;
  } catch {
    return; // loaded and reported properly by the CLI
  }
  if (typeof store !== 'object' || store === null) return;
  const { kind = 'level', path } = store as { kind?: unknown; path?: unknown };
  if (kind !== 'level' || typeof path !== 'string') return;
  // As config/compile.ts resolves it: against the config file's directory.
  prefetchSnapshot(join(resolve(dirname(resolve(configFile)), path), SNAPSHOT_FILE));
}
