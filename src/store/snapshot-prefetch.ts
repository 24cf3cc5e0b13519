// Start-up: the snapshot file read whole in the background while the daemon's modules load. A worker thread reads it
// and computes its CRC-32, so the main thread neither waits for the disk nor pays the first touch of ~112 MB at 10^6
// leases (on a VM that faults fresh memory at ~4 ms/MB, the first pass over freshly read pages costs as much as
// the read); it also checks and indexes the columns (snapshot-prepare-worker.ts, checked-columns.ts), the ~0.6 s of
// a start from 10^6 leases that the main thread otherwise spends after its warm-up. The buffers are transferred, not
// copied. Only an accelerator: the store checks a prefetched file's identity exactly as one it reads itself
// (snapshot-file.ts, level-snapshot.ts), and reads it itself when nothing was prefetched for its path.
// A small file is read and checked in this thread instead: a worker costs a Node environment of its own (~0.1 s of
// start-up on this host, on the core the module loading uses), more than checking a few MB.
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import type { CheckedColumns } from './checked-snapshot.js';
import { moduleWorker } from './module-worker.js';

/** A file's content and the CRC-32 of its bytes from `checkedFrom` on; read by a worker, its columns checked too. */
export interface ReadFile {
  readonly bytes: Buffer;
  readonly crc: number;
  readonly checked?: CheckedColumns;
}

/** Files up to this size are read and checked in this thread (10^5 leases make ~11 MB). */
const IN_THREAD_MAX_BYTES = 16 * 1024 * 1024;

/** A prefetched file not taken by then is dropped (the config named another store, or start-up failed). */
const UNCLAIMED_MS = 60_000;

const pending = new Map<string, Promise<ReadFile>>();

/**
 * Starts reading the file at `path` (once per path); settles when the read did (a read that fails is reported by
 * the store's own read).
 */
export function prefetchSnapshot(path: string, checkedFrom: number, options: Pick<ReadOptions, 'inThreadMaxBytes'> = {}): Promise<void> {
  const key = resolve(path);
  const started = pending.get(key);
  if (started !== undefined) return started.then(() => undefined, () => undefined);
  const reading = readWhole(key, checkedFrom, { ...options, forStart: true });
  pending.set(key, reading);
  setTimeout(() => {
    if (pending.get(key) === reading) pending.delete(key);
  }, UNCLAIMED_MS).unref();
  return reading.then(() => undefined, () => undefined);
}

/** The prefetched content of `path` (taken: a second call gets undefined), or undefined when none was started. */
export function takePrefetched(path: string): Promise<ReadFile> | undefined {
  const key = resolve(path);
  const reading = pending.get(key);
  pending.delete(key);
  return reading;
}

interface ReaderMessage {
  readonly buffer?: ArrayBuffer;
  readonly checked?: CheckedColumns;
  readonly length?: number;
  readonly crc?: number;
  readonly error?: string;
  readonly code?: string;
}

/** How `readWhole` reads: the size up to which it reads in this thread; whether the file is for a start. */
export interface ReadOptions {
  readonly inThreadMaxBytes?: number;
  /**
   * A worker also applies the delta file beside the snapshot and computes the indexes a start adopts
   * (checked-columns.ts); else only the checks a merge needs.
   */
  readonly forStart?: boolean;
}

/**
 * The whole file in a buffer of its own (offset 0, so every 8-byte-aligned section can be viewed as a typed array in
 * place), with the CRC-32 of its bytes from `checkedFrom` on: by a worker thread for a large file, else here. Rejects
 * with the read's error (its `code` kept: ENOENT is a missing file).
 */
export async function readWhole(path: string, checkedFrom: number, options: ReadOptions = {}): Promise<ReadFile> {
  const { size } = await stat(path);
  return size > (options.inThreadMaxBytes ?? IN_THREAD_MAX_BYTES) ? readInWorker(path, checkedFrom, options.forStart ?? false) : readInThread(path, checkedFrom);
}

async function readInThread(path: string, checkedFrom: number): Promise<ReadFile> {
  const read = await readFile(path);
  let bytes = read;
  if (read.byteOffset !== 0) {
    bytes = Buffer.allocUnsafeSlow(read.length);
    read.copy(bytes);
  }
  return { bytes, crc: bytes.length > checkedFrom ? crc32(bytes.subarray(checkedFrom)) : 0 };
}

/**
 * The whole file, read by a worker thread into a buffer of its own (offset 0, so every 8-byte-aligned section can
 * be viewed as a typed array in place), with the CRC-32 of its bytes from `checkedFrom` on and, when it parses as a
 * snapshot, its columns checked (and indexed for a start). Rejects with the read's error (its `code` kept: ENOENT is a missing file).
 */
function readInWorker(path: string, checkedFrom: number, forStart: boolean): Promise<ReadFile> {
  return new Promise((done, fail) => {
    const worker = moduleWorker('snapshot-prepare-worker', { path, checkedFrom, forStart });
    worker.unref();
    worker.once('message', (message: ReaderMessage) => {
      if (message.buffer === undefined) {
        fail(Object.assign(new Error(message.error ?? 'snapshot read failed'), { code: message.code }));
      } else {
        const { checked } = message;
        done({ bytes: Buffer.from(message.buffer, 0, message.length), crc: message.crc ?? 0, ...(checked === undefined ? {} : { checked }) });
      }
    });
    worker.once('error', fail);
    worker.once('exit', (code) => fail(new Error(`snapshot reader exited (${code})`)));
  });
}
