// Start-up: the snapshot file read whole in the background (libuv's threadpool) while the daemon's modules load, so
// its disk I/O and the faulting-in of ~100 MB at 10^6 leases overlap the main thread's work instead of following it.
// Only an accelerator: the store checks a prefetched file exactly as one it reads itself (snapshot-file.ts), and
// reads it itself when nothing was prefetched for its path.
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';

/** A prefetched file not taken by then is dropped (the config named another store, or start-up failed). */
const UNCLAIMED_MS = 60_000;

const pending = new Map<string, Promise<Buffer>>();

/** Starts reading the file at `path` (once per path); a read that fails is left to the store's own read. */
export function prefetchSnapshot(path: string): void {
  const key = resolve(path);
  if (pending.has(key)) return;
  const reading = readWhole(key);
  reading.catch(() => undefined);
  pending.set(key, reading);
  setTimeout(() => {
    if (pending.get(key) === reading) pending.delete(key);
  }, UNCLAIMED_MS).unref();
}

/** The prefetched content of `path` (taken: a second call gets undefined), or undefined when none was started. */
export function takePrefetched(path: string): Promise<Buffer> | undefined {
  const key = resolve(path);
  const reading = pending.get(key);
  pending.delete(key);
  return reading;
}

/**
 * The whole file in one buffer of its own (offset 0, so every 8-byte-aligned section can be viewed as a typed array
 * in place), not zero-filled first: each page is touched once, by the read.
 */
export async function readWhole(path: string): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const out = Buffer.allocUnsafeSlow(size);
    let done = 0;
    while (done < size) {
      const { bytesRead } = await file.read(out, done, size - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === size ? out : out.subarray(0, done);
  } finally {
    await file.close();
  }
}
