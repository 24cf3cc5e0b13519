// Which subnet a request belongs to (RFC 2131 §4.3.1): relayed ones by giaddr (or RFC 3527 link selection /
// RFC 3011 subnet selection), renewing ones by ciaddr, directly attached ones by the receiving interface.
import { getIpOption, ipToInt, linkSelectionOf } from '../codec/index.js';
import type { DhcpMessage } from '../codec/types.js';
import type { ServerConfig, Subnet } from '../config/types.js';
import type { Inbound, InterfaceInfo } from '../net/types.js';

const ZERO = '0.0.0.0';

/** Whether the address (dotted, or as a number) lies in the subnet: the one place the mask is applied. */
export function inSubnet(subnet: Subnet, ip: string | number): boolean {
  const n = typeof ip === 'string' ? ipToInt(ip) : ip;
  return ((n & subnet.mask) >>> 0) === subnet.network;
}

export function subnetContaining(config: ServerConfig, ip: string): Subnet | undefined {
  const n = ipToInt(ip);
  return config.subnets.find((s) => inSubnet(s, n));
}

const contains = (s: Subnet, ip: string | undefined): boolean => ip !== undefined && inSubnet(s, ip);

export function selectSubnet(config: ServerConfig, message: DhcpMessage, inbound: Inbound): Subnet | undefined {
  const link = linkSelectionOf(message);
  if (link !== undefined) return subnetContaining(config, link);
  if (message.giaddr !== ZERO) return subnetContaining(config, message.giaddr);
  // RFC 2131 §4.3.2 RENEWING: a client unicasts from its own address, over any path (a relayed client too), so
  // ciaddr names its subnet; the renewal handler checks the address against its lease.
  // (A transport that cannot tell broadcast from unicast is taken at its word the way requestKind takes it.)
  if (message.ciaddr !== ZERO && inbound.broadcast !== true) {
    const own = subnetContaining(config, message.ciaddr);
    if (own !== undefined) return own;
  }
  return directSubnet(config, message, inbound);
}

/** The subnets on the receiving link: named for the interface first, then those holding one of its addresses. */
export function subnetsOnLink(config: ServerConfig, iface: InterfaceInfo): Subnet[] {
  const found = config.subnets.filter((s) => s.interfaces.includes(iface.name));
  for (const address of iface.addresses) {
    const subnet = subnetContaining(config, address.address);
    if (subnet !== undefined && !found.includes(subnet)) found.push(subnet);
  }
  return found;
}

function directSubnet(config: ServerConfig, message: DhcpMessage, inbound: Inbound): Subnet | undefined {
  const iface = inbound.iface;
  if (iface === undefined) {
    // The native transport delivers without `iface` only unicasts that came in on an interface not served (relayed
    // traffic over a transit link): without giaddr or ciaddr such a request has no subnet.
    if (inbound.broadcast !== undefined) return undefined;
    // The dgram transport cannot tell the receiving interface: only one directly attached subnet can be served.
    return config.subnets.find((s) => s.interfaces.length > 0);
  }
  const onLink = subnetsOnLink(config, iface);
  // Several subnets on one wire (an interface with several addresses): the one the client already belongs to —
  // its address, the address it asks for, the address of ours it unicast to — else the first.
  const hints = [message.ciaddr !== ZERO ? message.ciaddr : undefined, getIpOption(message, 50), inbound.broadcast === false ? inbound.localAddress : undefined];
  for (const hint of hints) {
    const match = onLink.find((s) => contains(s, hint));
    if (match !== undefined) return match;
  }
  return onLink[0];
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
