// One synced LevelDB batch per group commit, without abstract-level's per-operation work. Its public batch() copies
// every operation, resolves the sublevel's encodings and prefixes the key one by one: measured at 20-45 µs of main
// thread per DORA (two operations), against ~3 µs for the backend's own _batch. So on classic-level (the daemon's
// LevelDB, which takes utf8 strings and Uint8Arrays as they are) the store hands operations already keyed and
// encoded to the native batch itself: classic-level's chained batch, one native call per operation with the key and
// value as arguments. Its array form (_batch) reads each operation's type, key and value back as properties in
// native code (napi lookups), 1.75 against 0.79 µs per lease measured. And since the native call copies the key's
// and the value's bytes before it returns, the caller may write the next operation into the very same buffers: a
// commit puts its operations as it makes them, with no operation object, key string or value copy per write. Any
// other backend (memory-level in tests) goes the public way, with copies.
import type { AbstractBatchOptions } from 'abstract-level';
import { Level } from 'level';
import type { LevelDatabase } from './level-database.js';

/**
 * One atomic batch on the root database. Keys are a sublevel's keys with the sublevel's prefix ("!lease!0a000001"),
 * as ASCII bytes; `put` and `del` take what they need of the bytes before they return, so the caller may reuse the
 * buffers at once. Either `write` or `discard` ends it.
 */
export interface RawBatch {
  put(key: Uint8Array, value: Uint8Array): void;
  /** A put of a text key and a UTF-8 text value (the commit sequence: one per batch). */
  putText(key: string, value: string): void;
  del(key: Uint8Array): void;
  /** Writes every operation atomically and synced to disk. */
  write(): Promise<void>;
  /** Drops the batch unwritten (after `write` it does nothing). */
  discard(): void;
}

export type BatchOpener = () => RawBatch;

/** classic-level reads `sync` from the batch options; other backends ignore it. */
const SYNCED = { sync: true } as AbstractBatchOptions<string, string>;

/** The backend side of abstract-level (its private API for implementations): classic-level's chained batch. */
interface Backend {
  _chainedBatch?: () => NativeBatch;
}

/** A chained batch's private side: `_put` and `_del` go straight to the native batch, `_write` writes it. */
interface NativeBatch {
  _put(key: string | Uint8Array, value: string | Uint8Array): void;
  _del(key: string | Uint8Array): void;
  _write(options: AbstractBatchOptions<string, string>): Promise<void>;
  /** Public: detaches the batch from the database (which would otherwise keep it to close at its own close). */
  close(): Promise<void>;
}

/** Opens batches on `db`. */
export function batchOpener(db: LevelDatabase): BatchOpener {
  const backend = db as unknown as Backend;
  // classic-level takes utf8 strings and Uint8Arrays as they are (memory-level, for one, wants its store encoding;
  // `supports.encodings` cannot tell: it lists the transcoded encodings too).
  if (db instanceof Level && typeof backend._chainedBatch === 'function') return () => new ClassicBatch(db, backend);
  return () => new PublicBatch(db);
}

class ClassicBatch implements RawBatch {
  private native: NativeBatch | undefined;

  constructor(
    private readonly db: LevelDatabase,
    backend: Backend,
  ) {
    // What abstract-level checks before a batch (and before its write, below): a closed native database must not
    // be touched.
    if (db.status === 'open') this.native = backend._chainedBatch!();
  }

  put(key: Uint8Array, value: Uint8Array): void {
    this.native?._put(key, value);
  }

  putText(key: string, value: string): void {
    this.native?._put(key, value);
  }

  del(key: Uint8Array): void {
    this.native?._del(key);
  }

  write(): Promise<void> {
    const batch = this.native;
    this.native = undefined;
    if (batch === undefined || this.db.status !== 'open') {
      if (batch !== undefined) void batch.close();
      return Promise.reject(notOpen());
    }
    return batch._write(SYNCED).finally(() => batch.close());
  }

  discard(): void {
    const batch = this.native;
    this.native = undefined;
    if (batch !== undefined) void batch.close();
  }
}

/** A root operation; a byte value names its own encoding (the root's type only knows string values). */
type RootOperation = { type: 'del'; key: string } | { type: 'put'; key: string; value: string | Uint8Array; valueEncoding?: 'view' };

/** The public way, for any abstract-level database: operations collected (copied) and written by `db.batch`. */
class PublicBatch implements RawBatch {
  private operations: RootOperation[] | undefined = [];

  constructor(private readonly db: LevelDatabase) {}

  put(key: Uint8Array, value: Uint8Array): void {
    this.operations?.push({ type: 'put', key: asciiText(key), value: value.slice(), valueEncoding: 'view' });
  }

  putText(key: string, value: string): void {
    this.operations?.push({ type: 'put', key, value });
  }

  del(key: Uint8Array): void {
    this.operations?.push({ type: 'del', key: asciiText(key) });
  }

  write(): Promise<void> {
    const operations = this.operations;
    this.operations = undefined;
    if (operations === undefined) return Promise.reject(new Error('the batch has ended'));
    // The root's type says string values (each byte value names its encoding); naming AbstractBatchOperation of
    // LevelDatabase here upsets TypeScript's variance check of Level against LevelDatabase elsewhere.
    return this.db.batch(operations as never, SYNCED);
  }

  discard(): void {
    this.operations = undefined;
  }
}

function asciiText(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1');
}

function notOpen(): Error {
  return Object.assign(new Error('Database is not open'), { code: 'LEVEL_DATABASE_NOT_OPEN' });
}
