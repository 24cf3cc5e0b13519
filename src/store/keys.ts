// Key layout of the lease store: address keys that sort numerically (one key per lease).
import { parseIpv4 } from '../codec/ip.js';

/**
 * Parses a canonical dotted IPv4 address; undefined if it is not one. Rejects "", "+1", "1e2", " 1" and leading
 * zeros ("010" is octal to some parsers, so ambiguous): the codec's parse, the one the server's addresses came from.
 */
export function ipToUint32(ip: string): number | undefined {
  const value = ipToInt32(ip);
  return value === undefined ? undefined : value >>> 0;
}

/**
 * The same parse, as the int32 of the same 32 bits: a small integer to V8, where a uint32 of 2^31 or more (any
 * address from 128.0.0.0) is a heap number, 16 bytes per call, and the store parses each written address several
 * times. For checks and for writing the address's bytes (`writeInt32BE` writes the same bytes).
 */
export function ipToInt32(ip: string): number | undefined {
  const value = parseIpv4(ip);
  return value < 0 ? undefined : value | 0;
}

/**
 * The lease key of an address: 8 lowercase hex digits of its uint32, so LevelDB's bytewise order is address
 * order (dotted strings would sort "10.0.0.10" before "10.0.0.9").
 */
export function addressKey(ip: string): string {
  const value = ipToUint32(ip);
  if (value === undefined) throw new TypeError(`not an IPv4 address: ${JSON.stringify(ip)}`);
  return uint32Key(value);
}

/** The lease key of an address given as its uint32. */
export function uint32Key(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

/** The dotted address of a lease key; undefined if the key is not 8 hex digits. */
export function keyToIp(key: string): string | undefined {
  if (!/^[0-9a-f]{8}$/.test(key)) return undefined;
  const value = Number.parseInt(key, 16);
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}
