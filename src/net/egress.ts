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
  const toMac = unicastToMac(type, reply, request, canUnicastToMac);
  const to = destination(type, reply, request, ports, toMac);
  return toMac ? { to, hwAddress: hwAddressOf(reply) } : { to };
}

/** RFC 2131 §4.1: to the client's MAC and new address when no relay, no ciaddr, no broadcast bit, and not a NAK. */
function unicastToMac(type: MessageType, reply: DhcpMessage, request: DhcpMessage, canUnicastToMac: boolean): boolean {
  return canUnicastToMac && request.giaddr === '0.0.0.0' && type !== MessageType.NAK && request.ciaddr === '0.0.0.0'
    && (request.flags & BROADCAST_FLAG) === 0 && reply.yiaddr !== '0.0.0.0';
}

/**
 * Where the reply goes. Endpoints are only read (an Outbound's `to`), so the one made last is given again for the
 * same address and port: a relay's replies, or the broadcasts of one link, all go to one (an object per reply less).
 */
function destination(type: MessageType, reply: DhcpMessage, request: DhcpMessage, ports: Ports, toMac: boolean): Endpoint {
  if (request.giaddr !== '0.0.0.0') return endpoint(request.giaddr, ports.server);
  if (type === MessageType.NAK) return endpoint(BROADCAST, ports.client);
  if (request.ciaddr !== '0.0.0.0') return endpoint(request.ciaddr, ports.client);
  return endpoint(toMac ? reply.yiaddr : BROADCAST, ports.client);
}

let lastEndpoint: Endpoint = { address: BROADCAST, port: 68 };

function endpoint(address: string, port: number): Endpoint {
  if (lastEndpoint.address !== address || lastEndpoint.port !== port) lastEndpoint = { address, port };
  return lastEndpoint;
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

/**
 * replyRoute, then outbound, in one: the reply's Outbound without a Route between them (this runs once per reply).
 */
export function replyOutbound(
  data: Buffer, type: MessageType, reply: DhcpMessage, request: DhcpMessage, ports: Ports, canUnicastToMac: boolean,
  inbound: Inbound, source: string | undefined,
): Outbound {
  const toMac = unicastToMac(type, reply, request, canUnicastToMac);
  const to = destination(type, reply, request, ports, toMac);
  return {
    data,
    to,
    hwAddress: toMac ? hwAddressOf(reply) : undefined,
    ifaceName: toMac || to.address === BROADCAST ? inbound.iface?.name : undefined,
    source,
  };
}
