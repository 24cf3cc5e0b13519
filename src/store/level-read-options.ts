// How the LevelDB store reads many leases at once (the start-up scan, the snapshot build): shared so both read alike.
import type { AbstractIteratorOptions } from 'abstract-level';

/** Entries taken from the iterator per call. */
export const LOAD_CHUNK = 1000;
/**
 * classic-level fetches iterator entries from C++ in chunks of at most highWaterMarkBytes (16 KiB by default, about
 * 80 leases); 1 MiB chunks scan ~1.5-2x faster. Other backends ignore the option.
 */
export const LOAD_OPTIONS = { highWaterMarkBytes: 1 << 20 } as AbstractIteratorOptions<string, Uint8Array>;
