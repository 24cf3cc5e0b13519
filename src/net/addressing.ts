// Link-layer addressing for the transports: broadcast detection (RFC 919/922), on-link source choice, MAC parsing.
import { intToIp, parseIpv4 } from '../codec/index.js';
import type { InterfaceAddress, InterfaceInfo } from './types.js';

export const LIMITED_BROADCAST = '255.255.255.255';

function maskOf(prefixLength: number): number {
  // `<< 32` is a no-op in JS, so /0 needs its own case.
  return prefixLength <= 0 ? 0 : (0xffffffff << (32 - Math.min(prefixLength, 32))) >>> 0;
}

/** The subnet-directed broadcast of an interface address, or undefined for /31 and /32 (RFC 3021: no broadcast). */
export function directedBroadcast(a: InterfaceAddress): string | undefined {
  const ip = parseIpv4(a.address);
  if (ip < 0 || a.prefixLength > 30) return undefined;
  return intToIp((ip | ~maskOf(a.prefixLength)) >>> 0);
}

/** Whether `address` lies in the subnet of interface address `a`. */
export function onLink(a: InterfaceAddress, address: string): boolean {
  const ip = parseIpv4(a.address);
  const other = parseIpv4(address);
  if (ip < 0 || other < 0) return false;
  const mask = maskOf(a.prefixLength);
  return ((ip & mask) >>> 0) === ((other & mask) >>> 0);
}

/** What the per-packet questions below need of an interface, worked out once per InterfaceInfo (a refresh makes
 * new ones): its directed broadcasts as text, and each address's network and mask as integers. */
interface LinkFacts {
  readonly broadcasts: readonly string[];
  /** Per address, in order: its IPv4 (-1 when unparsable) and mask. */
  readonly nets: readonly number[];
}

const facts = new WeakMap<InterfaceInfo, LinkFacts>();

function factsOf(iface: InterfaceInfo): LinkFacts {
  let known = facts.get(iface);
  if (known === undefined) {
    const broadcasts: string[] = [];
    const nets: number[] = [];
    for (const a of iface.addresses) {
      const broadcast = directedBroadcast(a);
      if (broadcast !== undefined) broadcasts.push(broadcast);
      nets.push(parseIpv4(a.address), maskOf(a.prefixLength));
    }
    known = { broadcasts, nets };
    facts.set(iface, known);
  }
  return known;
}

/** Index in iface.addresses of the first address whose subnet holds `ip` (parsed), or -1. */
function onLinkIndex(iface: InterfaceInfo, ip: number): number {
  const { nets } = factsOf(iface);
  for (let i = 0; i < nets.length; i += 2) {
    const own = nets[i]!;
    const mask = nets[i + 1]!;
    if (own >= 0 && ((own & mask) >>> 0) === ((ip & mask) >>> 0)) return i / 2;
  }
  return -1;
}

/** Whether a datagram sent to `destination` was a broadcast as seen on `iface`: limited or that link's directed one. */
export function isBroadcastOn(destination: string, iface: InterfaceInfo | undefined): boolean {
  if (destination === LIMITED_BROADCAST) return true;
  return iface !== undefined && factsOf(iface).broadcasts.includes(destination);
}

/** Our address on `iface` facing `destination`: the one whose subnet holds it, else the interface's first address. */
export function sourceFacing(iface: InterfaceInfo, destination: string): string | undefined {
  const ip = parseIpv4(destination);
  const i = ip < 0 ? -1 : onLinkIndex(iface, ip);
  return iface.addresses[i < 0 ? 0 : i]?.address;
}

/** The listed interface whose subnet holds `destination`, if any. */
export function interfaceFacing(ifaces: Iterable<InterfaceInfo>, destination: string): InterfaceInfo | undefined {
  const ip = parseIpv4(destination);
  if (ip < 0) return undefined;
  for (const iface of ifaces) if (onLinkIndex(iface, ip) >= 0) return iface;
  return undefined;
}

/** "aa:bb:cc:dd:ee:ff" (or with '-') -> 6 bytes; undefined when it is not a 48-bit Ethernet address. Once per
 * reply unicast to a MAC: a character loop, no split, regex or array (the bytes from Node's pool: the packet
 * queue reads them in its next send and drops them). */
export function parseMac(text: string): Buffer | undefined {
  if (text.length < 11 || text.length > 17) return undefined;
  const mac = Buffer.allocUnsafe(6);
  let octets = 0;
  let part = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : COLON; // the end closes the last octet
    if (c === COLON || c === HYPHEN) {
      if (digits === 0 || octets === 6) return undefined;
      mac[octets++] = part;
      part = 0;
      digits = 0;
      continue;
    }
    const value = hexDigit(c);
    if (value < 0 || digits === 2) return undefined;
    part = part * 16 + value;
    digits++;
  }
  return octets === 6 ? mac : undefined;
}

const COLON = 58;
const HYPHEN = 45;

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}
