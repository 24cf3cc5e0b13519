// Interface discovery for the native transport: index and MAC from sysfs, IPv4 addresses from the OS (RFC 2131 §4.3.1
// subnet selection needs each serving interface's addresses).
import { readFileSync } from 'node:fs';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type { InterfaceAddress, InterfaceInfo } from './types.js';

/** What the OS tells about one interface; each field undefined when it could not be read. */
export interface RawInterface {
  /** Contents of /sys/class/net/<name>/ifindex. */
  readonly ifindex: string | undefined;
  /** Contents of /sys/class/net/<name>/address. */
  readonly address: string | undefined;
  /** os.networkInterfaces()[name]: absent while the link is down (libuv lists only running interfaces). */
  readonly entries: readonly NetworkInterfaceInfo[] | undefined;
}

export interface Discovery {
  readonly found: readonly InterfaceInfo[];
  /** Listed names that do not exist (or cannot be read) right now. */
  readonly missing: readonly string[];
  /** Every IPv4 address of this host, listed interfaces or not: tells a unicast to us from a broadcast. */
  readonly localAddresses?: readonly string[];
}

/** Linux interface names: 1..15 bytes, no '/', no whitespace, not "." or "..". */
export function isInterfaceName(name: string): boolean {
  return /^[^/\s\0:]{1,15}$/.test(name) && name !== '.' && name !== '..';
}

function prefixOf(entry: NetworkInterfaceInfo): number | undefined {
  const cidr = entry.cidr?.split('/')[1];
  if (cidr !== undefined) return Number(cidr);
  const bits = entry.netmask.split('.').map(Number);
  if (bits.length !== 4 || bits.some((b) => !Number.isInteger(b))) return undefined;
  return bits.reduce((n, b) => n + (b.toString(2).match(/1/g)?.length ?? 0), 0);
}

/** Builds an InterfaceInfo from raw readings; undefined when the interface does not exist. */
export function parseInterface(name: string, raw: RawInterface): InterfaceInfo | undefined {
  const index = Number((raw.ifindex ?? '').trim());
  if (!Number.isInteger(index) || index <= 0) return undefined;
  const mac = (raw.address ?? '').trim().toLowerCase();
  const addresses: InterfaceAddress[] = [];
  for (const e of raw.entries ?? []) {
    // Node 18.0-18.3 reported family as a number; accept both.
    const v4 = e.family === 'IPv4' || (e.family as unknown) === 4;
    const prefixLength = prefixOf(e);
    if (v4 && prefixLength !== undefined) addresses.push({ address: e.address, prefixLength });
  }
  return Object.freeze({ name, index, mac, addresses: Object.freeze(addresses) });
}

/** Where discovery reads from; replaceable in tests. */
export interface InterfaceSource {
  /** os.networkInterfaces(), read once per discovery round. */
  addresses(): NodeJS.Dict<NetworkInterfaceInfo[]>;
  /** A file under /sys/class/net/<name>/, undefined when unreadable. */
  sysfs(name: string, file: 'ifindex' | 'address'): string | undefined;
}

export const systemInterfaceSource: InterfaceSource = {
  addresses: () => networkInterfaces(),
  sysfs: (name, file) => {
    try {
      return readFileSync(`/sys/class/net/${name}/${file}`, 'utf8');
    } catch {
      return undefined;
    }
  },
};

/** Reads the live state of the listed interfaces. Never throws: unreadable ones are reported missing. */
export function discoverInterfaces(names: readonly string[], source: InterfaceSource = systemInterfaceSource): Discovery {
  const found: InterfaceInfo[] = [];
  const missing: string[] = [];
  const table = source.addresses();
  for (const name of names) {
    const info = isInterfaceName(name)
      ? parseInterface(name, { ifindex: source.sysfs(name, 'ifindex'), address: source.sysfs(name, 'address'), entries: table[name] })
      : undefined;
    if (info === undefined) missing.push(name);
    else found.push(info);
  }
  const localAddresses = Object.values(table).flatMap((entries) => (entries ?? []).filter((e) => e.family === 'IPv4').map((e) => e.address));
  return { found, missing, localAddresses };
}

/** Whether two discoveries describe the same interfaces (to log only real changes). */
export function sameInterfaces(a: readonly InterfaceInfo[], b: readonly InterfaceInfo[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
