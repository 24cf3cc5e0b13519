// Address helpers for compiling the config: CIDR math, pool ranges, MAC and client-id normal forms.
import { intToIp, ipToInt } from '../codec/index.js';

export interface Cidr {
  readonly address: number;
  readonly prefixLength: number;
  readonly mask: number;
  readonly network: number;
  readonly broadcast: number;
}

export function maskOf(prefixLength: number): number {
  // `<< 32` is a no-op in JS, so /0 needs its own case.
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

/** Parses "a.b.c.d/n" already shape-checked by the schema. */
export function parseCidr(text: string): Cidr {
  const [ip = '', len = ''] = text.split('/');
  const address = ipToInt(ip);
  const prefixLength = Number(len);
  const mask = maskOf(prefixLength);
  const network = (address & mask) >>> 0;
  const broadcast = (network | ~mask) >>> 0;
  return { address, prefixLength, mask, network, broadcast };
}

export function cidrText(network: number, prefixLength: number): string {
  return `${intToIp(network)}/${prefixLength}`;
}

export interface Range {
  readonly start: number;
  readonly end: number;
}

/** A pool in either wire form -> numeric range (order not checked here). */
export function poolRange(pool: string | { readonly start: string; readonly end: string }): Range {
  if (typeof pool !== 'string') return { start: ipToInt(pool.start), end: ipToInt(pool.end) };
  const [start = '', end = ''] = pool.split('-').map((part) => part.trim());
  return { start: ipToInt(start), end: ipToInt(end) };
}

export function rangeText(range: Range): string {
  return `${intToIp(range.start)}-${intToIp(range.end)}`;
}

export function inside(range: Range, cidr: Cidr): boolean {
  return range.start >= cidr.network && range.end <= cidr.broadcast;
}

export function overlaps(a: Range, b: Range): boolean {
  return a.start <= b.end && b.start <= a.end;
}

function hexBytes(text: string): string[] {
  return text.toLowerCase().replace(/[:-]/g, '').match(/../g) ?? [];
}

/** "02-00-5E-10-00-01" or "02005e100001" -> "02:00:5e:10:00:01". */
export function normalizeHwAddress(text: string): string {
  return hexBytes(text).join(':');
}

/** "01:02:00:5E:10:00:02" -> "0102005e100002" (plain hex, type byte included). */
export function normalizeClientId(text: string): string {
  return hexBytes(text).join('');
}
