// The abstract-level database type the LevelDB store and its history log share (no module cycle between them), and
// the options the daemon opens its LevelDB with.
import type { AbstractLevel } from 'abstract-level';

/** Any abstract-level database with string default encodings (Level / ClassicLevel, MemoryLevel). */
export type LevelDatabase = AbstractLevel<string | Buffer | Uint8Array, string, string>;

/**
 * classic-level's options for the lease store. A 16 MiB write buffer (memtable) instead of LevelDB's 4 MiB: each DORA
 * writes ~400 bytes (a lease value and a history entry), and the memtable flushes and level-0 compactions that follow
 * run on LevelDB's threads, inside the daemon's pinned core. bench/leveldb-options.bench.ts, 10^6 writes: the
 * threads other than the main one took 10.8-11.2 µs per write with 4 MiB, 9.4 with 8, 7.5-7.7 with 16 and 7.6 with
 * 32 (the main thread's share unchanged). The price: the open after a stop replays up to 16 MiB of log (~60 ms of CPU
 * and ~13 MB more resident at the worst, against ~10 ms), and up to two memtables of 16 MiB while one flushes.
 */
export const LEVEL_OPTIONS = { createIfMissing: true, writeBufferSize: 16 * 1024 * 1024 } as const;
