// The start-up snapshot read in a worker thread (snapshot-prefetch.ts): the whole file, its CRC-32, and when it
// parses, its columns checked, and indexed for a start (checked-columns.ts). Everything is transferred, not copied. A file that
// does not parse goes back unchecked: the store's own parse then says why.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { crc32 } from 'node:zlib';
import { buffersOf, checkAndIndex, type CheckedColumns } from './checked-columns.js';
import { parseSnapshot } from './snapshot-file.js';

const { path, checkedFrom, forStart } = workerData as { path: string; checkedFrom: number; forStart: boolean };

function readAll(): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const bytes = new Uint8Array(new ArrayBuffer(size));
    let done = 0;
    while (done < size) {
      const read = readSync(fd, bytes, done, size - done, done);
      if (read === 0) break;
      done += read;
    }
    return bytes.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

function checkedOf(bytes: Uint8Array, crc: number): CheckedColumns | undefined {
  try {
    return checkAndIndex(parseSnapshot(Buffer.from(bytes.buffer, 0, bytes.length), path, crc).columns, forStart);
  } catch {
    return undefined;
  }
}

try {
  const bytes = readAll();
  const crc = bytes.length > checkedFrom ? crc32(bytes.subarray(checkedFrom)) : 0;
  const checked = checkedOf(bytes, crc);
  const transfer = [bytes.buffer as ArrayBuffer, ...(checked === undefined ? [] : buffersOf(checked))];
  parentPort!.postMessage({ buffer: bytes.buffer, length: bytes.length, crc, checked }, transfer);
} catch (error) {
  parentPort!.postMessage({ error: String(error), code: (error as NodeJS.ErrnoException).code });
}
