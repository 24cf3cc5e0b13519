// RFC 3396 §4: an option's data as consecutive instances of at most 255 bytes each.
import { MAX_INSTANCE_LEN } from './wire.js';

/** Bytes one option takes on the wire once split into <= 255-byte instances (RFC 3396 §4). */
export function wireLength(dataLength: number): number {
  if (dataLength === 0) return 2;
  return dataLength + 2 * Math.ceil(dataLength / MAX_INSTANCE_LEN);
}

/**
 * Writes `data` as one or more instances of `code` at `pos` (RFC 3396: split into consecutive instances,
 * all but the last 255 bytes long); returns the position after them.
 */
export function writeInstances(buf: Buffer, pos: number, code: number, data: Buffer): number {
  let offset = 0;
  do {
    const len = Math.min(MAX_INSTANCE_LEN, data.length - offset);
    buf[pos] = code;
    buf[pos + 1] = len;
    copyInto(buf, pos + 2, data, offset, offset + len);
    pos += 2 + len;
    offset += len;
  } while (offset < data.length);
  return pos;
}

/**
 * A short copy byte by byte, a long one by Buffer.copy: a chaddr or an option is a few bytes, for which the call
 * into C++ (_copyActual) cost more than the copy.
 */
export function copyInto(buf: Buffer, at: number, src: Buffer, start: number, end: number): void {
  if (end - start > SHORT_COPY) {
    src.copy(buf, at, start, end);
    return;
  }
  for (let i = start; i < end; i++) buf[at++] = src[i]!;
}
const SHORT_COPY = 32;
