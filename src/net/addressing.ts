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

/** Whether a datagram sent to `destination` was a broadcast as seen on `iface`: limited or that link's directed one. */
export function isBroadcastOn(destination: string, iface: InterfaceInfo | undefined): boolean {
  if (destination === LIMITED_BROADCAST) return true;
  return iface?.addresses.some((a) => directedBroadcast(a) === destination) ?? false;
}

/** Our address on `iface` facing `destination`: the one whose subnet holds it, else the interface's first address. */
export function sourceFacing(iface: InterfaceInfo, destination: string): string | undefined {
  return (iface.addresses.find((a) => onLink(a, destination)) ?? iface.addresses[0])?.address;
}

/** The listed interface whose subnet holds `destination`, if any. */
export function interfaceFacing(ifaces: Iterable<InterfaceInfo>, destination: string): InterfaceInfo | undefined {
  for (const iface of ifaces) if (iface.addresses.some((a) => onLink(a, destination))) return iface;
  return undefined;
}

/** "aa:bb:cc:dd:ee:ff" (or with '-') -> 6 bytes; undefined when it is not a 48-bit Ethernet address. */
export function parseMac(text: string): Buffer | undefined {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) return undefined;
  return Buffer.from(parts.map((p) => Number.parseInt(p, 16)));
}
