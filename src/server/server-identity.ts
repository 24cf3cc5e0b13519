// Option 54 and the reply source (RFC 2131 §4.3.1): the configured server id, else our address on the
// client's link, else a local address in the client's subnet, else our first non-loopback address.
import { networkInterfaces } from 'node:os';
import { ipToInt } from '../codec/index.js';
import type { ServerConfig, Subnet } from '../config/types.js';
import type { Inbound } from '../net/types.js';

const inSubnet = (subnet: Subnet, ip: string): boolean => ((ipToInt(ip) & subnet.mask) >>> 0) === subnet.network;

export function localIpv4Addresses(): string[] {
  const found: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) found.push(a.address);
  }
  return found;
}

export function serverIdResolver(config: () => ServerConfig, local: () => readonly string[]) {
  return (subnet: Subnet | undefined, inbound: Inbound): string | undefined => {
    const configured = config().serverId;
    if (configured !== undefined) return configured;
    const onLink = inbound.iface?.addresses.map((a) => a.address) ?? [];
    const candidates = [...onLink, ...(inbound.broadcast === false && inbound.localAddress ? [inbound.localAddress] : []), ...local()];
    if (subnet !== undefined) {
      const inside = candidates.find((ip) => inSubnet(subnet, ip));
      if (inside !== undefined) return inside;
    }
    return onLink[0] ?? candidates[0];
  };
}
