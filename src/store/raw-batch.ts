// One synced LevelDB batch per group commit, without abstract-level's per-operation work. Its public batch() copies
// every operation, resolves the sublevel's encodings and prefixes the key one by one: measured at 20-45 µs of main
// thread per DORA (two operations), against ~3 µs for the backend's own _batch. So on classic-level (the daemon's
// LevelDB, which takes utf8 strings and Uint8Arrays as they are) the store hands operations already keyed and
// encoded to the native batch itself: classic-level's chained batch, one native call per operation with the key and
// value as arguments. Its array form (_batch) reads each operation's type, key and value back as properties in
// native code (napi lookups), 1.75 against 0.79 µs per lease measured. Any other backend (memory-level in tests)
// goes the public way.
import type { AbstractBatchOptions } from 'abstract-level';
import { Level } from 'level';
import type { LevelDatabase } from './level-database.js';

/**
 * An operation on the root database: `key` is a sublevel's key with the sublevel's prefix ("!lease!0a000001", see
 * `rawPut`); a string value is stored as UTF-8, a Uint8Array as its bytes.
 */
export type RawOperation =
  | { readonly type: 'put'; readonly key: string; readonly value: string | Uint8Array }
  | { readonly type: 'del'; readonly key: string };

/** What is needed of a sublevel: its key prefix in the root database ("!name!"). */
export interface RawSublevel {
  readonly prefix: string;
}

export function rawPut(sublevel: RawSublevel, key: string, value: string | Uint8Array): RawOperation {
  return { type: 'put', key: sublevel.prefix + key, value };
}

export function rawDel(sublevel: RawSublevel, key: string): RawOperation {
  return { type: 'del', key: sublevel.prefix + key };
}

export type BatchWriter = (operations: readonly RawOperation[]) => Promise<void>;

/** classic-level reads `sync` from the batch options; other backends ignore it. */
const SYNCED = { sync: true } as AbstractBatchOptions<string, string>;

/** The backend side of abstract-level (its private API for implementations): classic-level's chained batch. */
interface Backend {
  _chainedBatch?: () => NativeBatch;
}

/** A chained batch's private side: `_put` and `_del` go straight to the native batch, `_write` writes it. */
interface NativeBatch {
  _put(key: string, value: string | Uint8Array): void;
  _del(key: string): void;
  _write(options: AbstractBatchOptions<string, string>): Promise<void>;
  /** Public: detaches the batch from the database (which would otherwise keep it to close at its own close). */
  close(): Promise<void>;
}

/** Writes `operations` atomically and synced to disk. */
export function batchWriter(db: LevelDatabase): BatchWriter {
  const backend = db as unknown as Backend;
  // classic-level takes utf8 strings and Uint8Arrays as they are (memory-level, for one, wants its store encoding;
  // `supports.encodings` cannot tell: it lists the transcoded encodings too).
  if (db instanceof Level && typeof backend._chainedBatch === 'function') {
    return (operations) => {
      // What abstract-level checks before a batch: a closed native database must not be touched.
      if (db.status !== 'open') return Promise.reject(notOpen());
      const batch = backend._chainedBatch!();
      try {
        for (let i = 0; i < operations.length; i++) {
          const op = operations[i]!;
          if (op.type === 'put') batch._put(op.key, op.value);
          else batch._del(op.key);
        }
      } catch (error) {
        void batch.close();
        return Promise.reject(error as Error);
      }
      return batch._write(SYNCED).finally(() => batch.close());
    };
  }
  // The root's type says string values (each byte value names its encoding); naming AbstractBatchOperation of
  // LevelDatabase here upsets TypeScript's variance check of Level against LevelDatabase elsewhere.
  return (operations) => db.batch(operations.map(viaRoot) as never, SYNCED);
}

/** A root operation; a byte value names its own encoding (the root's type only knows string values). */
type RootOperation = { type: 'del'; key: string } | { type: 'put'; key: string; value: string | Uint8Array; valueEncoding?: 'view' };

/** The same operation through the root's public batch (its keys are utf8). */
function viaRoot(op: RawOperation): RootOperation {
  if (op.type === 'del') return op;
  return typeof op.value === 'string' ? op : { type: 'put', key: op.key, value: op.value, valueEncoding: 'view' };
}

function notOpen(): Error {
  return Object.assign(new Error('Database is not open'), { code: 'LEVEL_DATABASE_NOT_OPEN' });
}
