// A renewing or rebinding client whose subnet a reload removed (RFC 2131 §4.3.2): its request matches no subnet
// any more, but the lease is still stored, so the server says NAK (reason subnet-invalid) rather than nothing —
// the client then starts over at once instead of holding an address nobody serves until its lease runs out.
import { MessageType, type DhcpRequest } from '../codec/types.js';
import { isLiveLeaseOf } from '../leases/states.js';
import type { Inbound } from '../net/types.js';
import type { Decision } from './decision.js';
import type { ServerDeps } from './deps.js';
import { nak } from './handlers/ack-nak.js';

export function orphanRenewal(deps: ServerDeps, request: DhcpRequest, inbound: Inbound, clientKey: string): Decision | undefined {
  if (request.type !== MessageType.REQUEST || request.ciaddr === '0.0.0.0') return undefined;
  const lease = deps.book.get(request.ciaddr);
  if (lease === undefined || !isLiveLeaseOf(lease, clientKey)) return undefined;
  if (deps.config().subnets.some((s) => s.id === lease.context.subnetId)) return undefined;
  return nak(deps, { request, inbound, clientKey }, 'subnet-invalid');
}
