// Message processing (RFC 2131 §4.3, table 3): picks the client's subnet and the handler for its message type.
import { MessageType } from '../codec/types.js';
import { LeaseError } from '../errors.js';
import type { RoutedRequest } from '../../machines/transaction.types.js';
import { drop, type Decision } from './decision.js';
import type { ServerDeps } from './deps.js';
import { handleDiscover } from './handlers/discover.js';
import { handleInform } from './handlers/inform.js';
import { handleDecline, handleRelease } from './handlers/release.js';
import { handleRequest } from './handlers/request.js';
import { orphanRenewal } from './orphan-renewal.js';
import { selectSubnet } from './subnet-select.js';

/**
 * The decision for a routed request, always as a promise (a throw becomes its rejection). Not an async function:
 * most decisions are made at once or are a handler's own promise, which an async wrapper would adopt through
 * extra promises and microtask jobs per request.
 */
export function decide(deps: ServerDeps, routed: RoutedRequest): Promise<Decision> {
  try {
    const decision = decideNow(deps, routed);
    return decision instanceof Promise ? decision : Promise.resolve(decision);
  } catch (error) {
    return Promise.reject(error);
  }
}

function decideNow(deps: ServerDeps, routed: RoutedRequest): Decision | Promise<Decision> {
  const { request, inbound, clientKey } = routed;
  if (deps.declines.any && deps.declines.isBlocked(clientKey, deps.clock.now())) return drop('decline-limit');
  const subnet = selectSubnet(deps.config(), request, inbound);
  if (request.type === MessageType.INFORM) return handleInform(deps, request, inbound, subnet);
  if (subnet === undefined) {
    const orphan = orphanRenewal(deps, request, inbound, clientKey);
    if (orphan !== undefined) return orphan;
    // Debug only: traffic from links we do not serve can be steady and is not the operator's problem per packet.
    const err = new LeaseError('DHCPD_ERR_LEASE_NO_SUBNET', `no subnet for giaddr ${request.giaddr}`);
    deps.log.debug({ evt: 'dhcp.no_subnet', err, client: clientKey, xid: request.xid });
    return drop('no-subnet');
  }
  const input = { request, inbound, clientKey, subnet };
  switch (request.type) {
    case MessageType.DISCOVER:
      if (deps.answersDiscover?.(request) === false) return drop('peer-bucket');
      return handleDiscover(deps, input);
    case MessageType.REQUEST:
      return handleRequest(deps, input);
    case MessageType.RELEASE:
      return handleRelease(deps, input);
    case MessageType.DECLINE:
      return handleDecline(deps, input);
    case MessageType.OFFER:
    case MessageType.ACK:
    case MessageType.NAK:
      // A programmer error: the router drops server messages (router.ts), so none is ever decided.
      throw new TypeError(`${MessageType[request.type]} is a server message: the router must not route it`);
    default:
      return unreachable(request.type);
  }
}

/** Every message type has its case above: adding one to MessageType fails to compile here. */
function unreachable(type: never): never {
  throw new TypeError(`unhandled message type ${String(type)}`);
}
