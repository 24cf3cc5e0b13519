// Who answered a probe: the MAC address the kernel's neighbour (ARP) table holds for an IPv4 address, read from
// /proc/net/arp of the daemon's network namespace. Best effort: undefined when unknown or unreadable.
import { readFile } from 'node:fs/promises';

const COMPLETE = 0x2; // ATF_COM: the entry is resolved

export async function neighbourMac(ip: string, table = '/proc/net/arp'): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(table, 'utf8');
  } catch {
    return undefined;
  }
  return macIn(text, ip);
}

/** Lines: "IP address  HW type  Flags  HW address  Mask  Device", the first one a header. */
export function macIn(table: string, ip: string): string | undefined {
  for (const line of table.split('\n').slice(1)) {
    const [address, , flags, mac] = line.trim().split(/\s+/);
    if (address === ip && mac !== undefined && (Number.parseInt(flags ?? '0', 16) & COMPLETE) !== 0) return mac;
  }
  return undefined;
}
