// The start-up snapshot read in a worker thread (snapshot-prefetch.ts): the whole file, its CRC-32, and when it
// parses, its columns checked, and for a start its delta file applied and the start's indexes built
// (checked-columns.ts). Everything is transferred, not copied. A file that does not parse goes back unchecked: the
// store's own parse then says why.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { crc32 } from 'node:zlib';
import { buffersOf, checkFile } from './checked-columns.js';

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

try {
  const bytes = readAll();
  const crc = bytes.length > checkedFrom ? crc32(bytes.subarray(checkedFrom)) : 0;
  const checked = checkFile(Buffer.from(bytes.buffer, 0, bytes.length), path, crc, forStart);
  // With its delta applied, the start takes the columns from `checked`: the file's bytes are not needed there.
  const sent = checked?.delta === undefined ? bytes : new Uint8Array(0);
  const transfer = [sent.buffer as ArrayBuffer, ...(checked === undefined ? [] : buffersOf(checked))];
  parentPort!.postMessage({ buffer: sent.buffer, length: sent.length, crc, checked }, transfer);
} catch (error) {
  parentPort!.postMessage({ error: String(error), code: (error as NodeJS.ErrnoException).code });
}
