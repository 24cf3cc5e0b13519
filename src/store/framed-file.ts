// The framing the commit journal and the delta file share: magic (8 bytes) | header length (u32 LE) | CRC-32 of the
// header (u32 LE) | header JSON, then records, each: payload length (u32 LE) | CRC-32 of the payload (u32 LE) |
// payload. A reader stops at the first record that is torn or damaged: everything before it is intact.
import { crc32 } from 'node:zlib';

const FIXED = 16;
/** A record's length and CRC-32. */
export const RECORD_HEAD = 8;
/** A header beyond this is not ours (it holds a few ids). */
const MAX_HEADER = 1 << 16;

/** The file's start: its magic and its header as JSON. */
export function frameHeader(magic: Buffer, header: object): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const fixed = Buffer.alloc(FIXED);
  magic.copy(fixed, 0);
  fixed.writeUInt32LE(json.length, 8);
  fixed.writeUInt32LE(crc32(json), 12);
  return Buffer.concat([fixed, json]);
}

/** The header's JSON and where the records start, when the file starts with `magic` and an intact header. */
export function readFrameHeader(file: Buffer, magic: Buffer): { header: unknown; end: number } | undefined {
  if (file.length < FIXED || !file.subarray(0, 8).equals(magic)) return undefined;
  const length = file.readUInt32LE(8);
  if (length > MAX_HEADER || FIXED + length > file.length) return undefined;
  const json = file.subarray(FIXED, FIXED + length);
  if (crc32(json) !== file.readUInt32LE(12)) return undefined;
  try {
    return { header: JSON.parse(json.toString('utf8')) as unknown, end: FIXED + length };
  } catch {
    return undefined;
  }
}

/** A record's head for a payload written as `parts` (in order), followed by them. */
export function frameRecord(parts: readonly Buffer[]): Buffer[] {
  let crc = 0;
  let length = 0;
  // Empty parts left out: node 20's crc32 of a view of an empty ArrayBuffer returns 0, whatever it continues.
  for (const part of parts) {
    if (part.length > 0) crc = crc32(part, crc);
    length += part.length;
  }
  const head = Buffer.alloc(RECORD_HEAD);
  head.writeUInt32LE(length, 0);
  head.writeUInt32LE(crc, 4);
  return [head, ...parts];
}

/** The payload of the record at `offset` and where it ends; undefined when there is none, or it is torn or damaged. */
export function readRecord(file: Buffer, offset: number): { payload: Buffer; end: number } | undefined {
  if (offset + RECORD_HEAD > file.length) return undefined;
  const end = offset + RECORD_HEAD + file.readUInt32LE(offset);
  if (end > file.length) return undefined;
  const payload = file.subarray(offset + RECORD_HEAD, end);
  return crc32(payload) === file.readUInt32LE(offset + 4) ? { payload, end } : undefined;
}
