// Value codecs for the simple RFC 2132 option formats: addresses, integers, flags, text, raw bytes.
import { parseIpv4, readIp } from '../ip.js';
import { parseHex, toColonHex } from '../hex.js';
import { badValue, expected } from './problem.js';

export type IntType = 'u8' | 'u16' | 'u32' | 'i32';

const INT_RANGE: Record<IntType, readonly [number, number, number]> = {
  u8: [0, 0xff, 1],
  u16: [0, 0xffff, 2],
  u32: [0, 0xffffffff, 4],
  i32: [-0x80000000, 0x7fffffff, 4],
};

export function encodeIp(value: unknown): Buffer {
  const n = typeof value === 'string' ? parseIpv4(value) : -1;
  if (n < 0) throw expected('an IPv4 address', value);
  const out = Buffer.alloc(4);
  out.writeUInt32BE(n);
  return out;
}

export function decodeIp(data: Buffer): string {
  if (data.length !== 4) throw badValue(`an IPv4 address takes 4 bytes, got ${data.length}`);
  return readIp(data, 0);
}

/** A list of addresses; a single string is taken as a list of one. */
export function encodeIps(value: unknown): Buffer {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) throw expected('a non-empty list of IPv4 addresses', value);
  const out = Buffer.alloc(4 * list.length);
  list.forEach((item: unknown, i) => {
    const n = typeof item === 'string' ? parseIpv4(item) : -1;
    if (n < 0) throw expected(`an IPv4 address at index ${i}`, item);
    out.writeUInt32BE(n, 4 * i);
  });
  return out;
}

export function decodeIps(data: Buffer): string[] {
  if (data.length === 0 || data.length % 4 !== 0) {
    throw badValue(`a list of IPv4 addresses takes a non-zero multiple of 4 bytes, got ${data.length}`);
  }
  const out: string[] = [];
  for (let i = 0; i < data.length; i += 4) out.push(readIp(data, i));
  return out;
}

export function encodeInt(type: IntType, value: unknown): Buffer {
  const [min, max, size] = INT_RANGE[type];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw expected(`an integer from ${min} to ${max}`, value);
  }
  const out = Buffer.alloc(size);
  if (type === 'i32') out.writeInt32BE(value);
  else out.writeUIntBE(value, 0, size);
  return out;
}

export function decodeInt(type: IntType, data: Buffer): number {
  const size = INT_RANGE[type][2];
  if (data.length !== size) throw badValue(`a ${type} takes ${size} bytes, got ${data.length}`);
  return type === 'i32' ? data.readInt32BE(0) : data.readUIntBE(0, size);
}

export function encodeBool(value: unknown): Buffer {
  if (typeof value !== 'boolean') throw expected('true or false', value);
  return Buffer.from([value ? 1 : 0]);
}

export function decodeBool(data: Buffer): boolean {
  if (data.length !== 1 || (data[0] as number) > 1) {
    throw badValue(`a flag is one byte 0 or 1, got ${toColonHex(data) || 'nothing'}`);
  }
  return data[0] === 1;
}

/** RFC 2132 §2: NVT text, not NUL-terminated. Encoded as UTF-8; NUL is refused (C clients would cut there). */
export function encodeString(value: unknown): Buffer {
  if (typeof value !== 'string' || value.length === 0) throw expected('a non-empty string', value);
  if (value.includes('\0')) throw expected('a string without NUL characters', value);
  return Buffer.from(value, 'utf8');
}

/** Trailing NULs, which some clients add despite RFC 2132 §2, are dropped. */
export function decodeString(data: Buffer): string {
  let end = data.length;
  while (end > 0 && data[end - 1] === 0) end--;
  return data.toString('utf8', 0, end);
}

/** Hex text "01:02:0a" or "01020a" (a Uint8Array is also taken, for programmatic callers). */
export function encodeBytes(value: unknown): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value);
  const bytes = typeof value === 'string' ? parseHex(value) : undefined;
  if (bytes === undefined) throw expected('hex bytes like "01:02:0a" or "01020a"', value);
  return bytes;
}

export function decodeBytes(data: Buffer): string {
  return toColonHex(data);
}

export function encodeU8s(value: unknown): Buffer {
  if (!Array.isArray(value)) throw expected('a list of integers from 0 to 255', value);
  const out = Buffer.alloc(value.length);
  value.forEach((item: unknown, i) => {
    if (typeof item !== 'number' || !Number.isInteger(item) || item < 0 || item > 255) {
      throw expected(`an integer from 0 to 255 at index ${i}`, item);
    }
    out[i] = item;
  });
  return out;
}

export function decodeU8s(data: Buffer): number[] {
  return Array.from(data);
}
