// Option 54 and the reply source (RFC 2131 §4.3.1): the configured server id, else our address on the
// client's link in its subnet, else the address the request was unicast to, else the link's first address, else
// our first non-loopback address.
import { networkInterfaces } from 'node:os';
import type { ServerConfig, Subnet } from '../config/types.js';
import type { Inbound } from '../net/types.js';
import { inSubnet } from './subnet-select.js';

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
    // The address a relay (or a renewing client) unicast to is one it can reach: the best answer off-subnet.
    const target = inbound.broadcast === false && inbound.localAddress !== undefined ? [inbound.localAddress] : [];
    if (subnet !== undefined) {
      const inside = [...onLink, ...target, ...local()].find((ip) => inSubnet(subnet, ip));
      if (inside !== undefined) return inside;
    }
    return target[0] ?? onLink[0] ?? local()[0];
  };
}
