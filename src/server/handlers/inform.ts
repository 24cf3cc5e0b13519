// DHCPINFORM (RFC 2131 §4.3.5): configuration only — an ACK with no lease time and yiaddr 0, sent to ciaddr.
import { MessageType, type DhcpRequest } from '../../codec/types.js';
import type { Subnet } from '../../config/types.js';
import type { Inbound } from '../../net/types.js';
import { drop, type Decision } from '../decision.js';
import type { ServerDeps } from '../deps.js';
import { buildReply, maxReplySize } from '../reply.js';
import { subnetContaining } from '../subnet-select.js';

export function handleInform(deps: ServerDeps, request: DhcpRequest, inbound: Inbound, subnet: Subnet | undefined): Decision {
  // The client has an address already: its ciaddr says which subnet it is on, even through a relay.
  const own = request.ciaddr !== '0.0.0.0' ? subnetContaining(deps.config(), request.ciaddr) : undefined;
  const target = own ?? subnet;
  if (target === undefined) return drop('no-subnet');
  const serverId = deps.serverIdFor(target, inbound);
  if (serverId === undefined) return drop('no-server-id');
  const message = buildReply(request, { type: MessageType.INFORM, serverId, subnet: target });
  return { kind: 'reply', type: MessageType.ACK, message, maxSize: maxReplySize(request), ip: request.ciaddr, subnet: target };
}
