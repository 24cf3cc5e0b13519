// Where a reply goes (RFC 2131 §4.1): to the relay, to ciaddr, broadcast, or unicast to the client's MAC.
import { hwAddressOf } from '../codec/index.js';
import { BROADCAST_FLAG, MessageType, type DhcpMessage } from '../codec/types.js';
import type { Endpoint, Inbound, Outbound } from './types.js';

export interface Ports {
  readonly server: number;
  readonly client: number;
}

export interface Route {
  readonly to: Endpoint;
  /** Unicast to this MAC when the transport can (before the client answers ARP). */
  readonly hwAddress?: string;
}

const BROADCAST = '255.255.255.255';

export function replyRoute(type: MessageType, reply: DhcpMessage, request: DhcpMessage, ports: Ports, canUnicastToMac: boolean): Route {
  if (request.giaddr !== '0.0.0.0') return { to: { address: request.giaddr, port: ports.server } };
  if (type === MessageType.NAK) return { to: { address: BROADCAST, port: ports.client } };
  if (request.ciaddr !== '0.0.0.0') return { to: { address: request.ciaddr, port: ports.client } };
  if ((request.flags & BROADCAST_FLAG) !== 0 || reply.yiaddr === '0.0.0.0' || !canUnicastToMac) {
    return { to: { address: BROADCAST, port: ports.client } };
  }
  return { to: { address: reply.yiaddr, port: ports.client }, hwAddress: hwAddressOf(reply) };
}

/**
 * A broadcast or a unicast to a MAC must leave through the link the request came in on; a reply to a routable
 * address (giaddr, ciaddr) follows the routing table instead, which knows the way back to a relay even when the
 * request arrived on another link (forcing the interface would make the kernel assume the address is on it).
 */
export function outbound(data: Buffer, route: Route, inbound: Inbound, source: string | undefined): Outbound {
  const onReceivingLink = route.to.address === BROADCAST || route.hwAddress !== undefined;
  // One shape for every reply (absent fields undefined), built without spreads: this runs once per reply.
  return {
    data,
    to: route.to,
    hwAddress: route.hwAddress,
    ifaceName: onReceivingLink ? inbound.iface?.name : undefined,
    source,
  };
}
