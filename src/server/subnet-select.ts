// Which subnet a request belongs to (RFC 2131 §4.3.1): relayed ones by giaddr (or RFC 3527 link selection /
// RFC 3011 subnet selection), directly attached ones by the receiving interface.
import { ipToInt, linkSelectionOf } from '../codec/index.js';
import type { DhcpMessage } from '../codec/types.js';
import type { ServerConfig, Subnet } from '../config/types.js';
import type { Inbound } from '../net/types.js';

export function subnetContaining(config: ServerConfig, ip: string): Subnet | undefined {
  const n = ipToInt(ip);
  return config.subnets.find((s) => ((n & s.mask) >>> 0) === s.network);
}

export function selectSubnet(config: ServerConfig, message: DhcpMessage, inbound: Inbound): Subnet | undefined {
  const link = linkSelectionOf(message);
  if (link !== undefined) return subnetContaining(config, link);
  if (message.giaddr !== '0.0.0.0') return subnetContaining(config, message.giaddr);
  return directSubnet(config, inbound);
}

function directSubnet(config: ServerConfig, inbound: Inbound): Subnet | undefined {
  const iface = inbound.iface;
  if (iface !== undefined) {
    const named = config.subnets.find((s) => s.interfaces.includes(iface.name));
    if (named !== undefined) return named;
    for (const address of iface.addresses) {
      const subnet = subnetContaining(config, address.address);
      if (subnet !== undefined) return subnet;
    }
    return undefined;
  }
  // Without interface information (the dgram transport) only one directly attached subnet can be served.
  return config.subnets.find((s) => s.interfaces.length > 0);
}

/**
 * Whether `other` (the subnet of an address a client names) is on the link `selected` was chosen for: the same
 * subnet, or one sharing an interface with it (several subnets on one wire). RFC 2131 §4.3.2 "wrong network".
 */
export function onSameLink(config: ServerConfig, selected: Subnet, other: Subnet | undefined): boolean {
  if (other === undefined) return false;
  if (other.id === selected.id) return true;
  // A reload may have dropped `other`; only a subnet of the config in force counts.
  return config.subnets.includes(other) && selected.interfaces.some((name) => other.interfaces.includes(name));
}
