// IPv4 address helpers for the codec: dotted quad <-> host-order uint32 and <-> 4 wire bytes (RFC 791 §3.2).
// Hand-written char loops instead of regexes: these run several times per packet.
import { ipText } from './interned.js';

/** Parses a strict dotted quad ("198.51.100.1": four decimal parts 0..255, no leading zeros); -1 if invalid. */
export function parseIpv4(s: string): number {
  const len = s.length;
  if (len < 7 || len > 15) return -1;
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      // A leading zero would read as octal to some tools (inet_aton): refuse the ambiguity.
      if (digits === 1 && part === 0) return -1;
      part = part * 10 + (c - 48);
      digits++;
      if (part > 255) return -1;
    } else {
      return -1;
    }
  }
  if (digits === 0 || dots !== 3) return -1;
  return value * 256 + part;
}

export function isIpv4(s: unknown): s is string {
  return typeof s === 'string' && parseIpv4(s) >= 0;
}

/** Dotted quad -> host-order uint32. Throws TypeError on an invalid address (a bug: check isIpv4 first). */
export function ipToInt(s: string): number {
  const n = parseIpv4(s);
  if (n < 0) throw new TypeError(`not an IPv4 address: ${JSON.stringify(s)}`);
  return n;
}

/** Host-order uint32 -> dotted quad (the value is taken modulo 2^32, `>>> 0`). */
export function intToIp(n: number): string {
  return ipText(n);
}

export const ZERO_IP = '0.0.0.0';

/** Reads 4 bytes at `offset` as a dotted quad. */
export function readIp(buf: Uint8Array, offset: number): string {
  const a = buf[offset] ?? 0;
  const b = buf[offset + 1] ?? 0;
  const c = buf[offset + 2] ?? 0;
  const d = buf[offset + 3] ?? 0;
  if ((a | b | c | d) === 0) return ZERO_IP;
  return ipText(((a << 24) | (b << 16) | (c << 8) | d) >>> 0);
}

/** Writes a dotted quad as 4 bytes at `offset`; returns false (writing nothing) if `s` is not an address. */
export function writeIp(buf: Uint8Array, offset: number, s: string): boolean {
  const n = parseIpv4(s);
  if (n < 0) return false;
  buf[offset] = n >>> 24;
  buf[offset + 1] = (n >>> 16) & 255;
  buf[offset + 2] = (n >>> 8) & 255;
  buf[offset + 3] = n & 255;
  return true;
}
