// DHCPREQUEST (RFC 2131 §4.3.2): SELECTING, INIT-REBOOT, RENEWING and REBINDING, told apart by option 54,
// option 50, ciaddr and how the request arrived; an ACK is sent only after the lease is durably stored.
import { getIpOption } from '../../codec/index.js';
import type { DhcpRequest } from '../../codec/types.js';
import { isFinal, isLeaseOf, isLiveLeaseOf } from '../../leases/states.js';
import type { Inbound } from '../../net/types.js';
import { drop, type Decision } from '../decision.js';
import type { ServerDeps } from '../deps.js';
import { isAddressValid, reservationFor } from '../lease-policy.js';
import { onSameLink, subnetContaining } from '../subnet-select.js';
import { ack, nak, type RequestKind } from './ack-nak.js';
import type { HandlerInput } from './input.js';
import { renewal } from './renewal.js';
import { mayTakeOver, takeOver } from './take-over.js';
import { winUnreserved } from './unreserved-win.js';

export type { RequestKind } from './ack-nak.js';

/** RFC 2131 §4.3.2 (and table 4 of §4.4.1). */
export function requestKind(request: DhcpRequest, inbound: Inbound): RequestKind | undefined {
  const requested = getIpOption(request, 50);
  const unconfigured = request.ciaddr === '0.0.0.0';
  if (getIpOption(request, 54) !== undefined && (requested !== undefined || unconfigured)) return 'select';
  if (unconfigured) return requested !== undefined ? 'reboot' : undefined;
  // A renewing client unicasts to its server; a rebinding one broadcasts (RFC 2131 §4.4.5), and relays forward
  // only broadcasts, so a relayed request with ciaddr set is a rebinding one too.
  return inbound.broadcast === true || request.giaddr !== '0.0.0.0' ? 'rebind' : 'renew';
}

/** A decision now, or the promise of one (an ACK waits for its write): no async wrapper to adopt it. */
export function handleRequest(deps: ServerDeps, input: HandlerInput): Decision | Promise<Decision> {
  const kind = requestKind(input.request, input.inbound);
  switch (kind) {
    case 'select':
      return selecting(deps, input);
    case 'reboot':
      return initReboot(deps, input);
    case 'renew':
    case 'rebind':
      // Some clients (against RFC 2131) name a server while renewing: if it is not us, the request is not ours.
      if (!namesUsOrNobody(deps, input)) return drop('not-for-us');
      return renewal(deps, input, kind);
    default:
      return drop('malformed-request');
  }
}

function namesUsOrNobody(deps: ServerDeps, input: HandlerInput): boolean {
  const named = getIpOption(input.request, 54);
  return named === undefined || named === deps.serverIdFor(input.subnet, input.inbound);
}

function selecting(deps: ServerDeps, input: HandlerInput): Decision | Promise<Decision> {
  const { request, clientKey, subnet } = input;
  if (!namesUsOrNobody(deps, input)) {
    // The client took another server's offer: our held address goes back to the pool, silently.
    deps.unreservedOffers.forget(clientKey);
    const mine = deps.book.currentLeaseOf(subnet.id, clientKey);
    if (mine?.state === 'offered') {
      deps.book.send(mine.context.ip, { type: 'lease.withdraw', now: deps.clock.now() });
      deps.log.debug({ evt: 'lease.withdrawn', ip: mine.context.ip, client: clientKey, xid: request.xid });
    }
    return drop('not-for-us');
  }
  const ip = getIpOption(request, 50);
  if (ip === undefined) return drop('malformed-request');
  // Judged once, win or lose: an unreserved offer of this address (offer-unreserved.ts) is used up by its REQUEST.
  const unreserved = deps.unreservedOffers.any && deps.unreservedOffers.of(clientKey, subnet.id, deps.clock.now())?.ip === ip;
  if (unreserved) deps.unreservedOffers.forget(clientKey);
  const lease = deps.book.get(ip);
  if (mayTakeOver(input, lease) && !isFinal(lease.state)) return takeOver(deps, input, lease, 'select', 'offer-accepted');
  if (!isLiveLeaseOf(lease, clientKey)) return unreserved ? winUnreserved(deps, input, ip, lease) : nak(deps, input, 'offer-gone');
  if (!isAddressValid(subnet, ip, reservationFor(subnet, request, clientKey))) return nak(deps, input, 'address-invalid');
  return ack(deps, input, ip, 'select', 'offer-accepted');
}

/**
 * RFC 2131 §4.3.2 INIT-REBOOT: NAK an address on the wrong network or not the client's; ACK the client's own
 * lease; with no record of the client stay silent (peaceful coexistence) unless the subnet is authoritative.
 */
async function initReboot(deps: ServerDeps, input: HandlerInput): Promise<Decision> {
  const { request, clientKey, subnet } = input;
  const ip = getIpOption(request, 50)!;
  if (!onSameLink(deps.config(), subnet, subnetContaining(deps.config(), ip))) return nak(deps, input, 'wrong-network');
  const lease = deps.book.get(ip);
  const own = deps.config().subnets.find((s) => s.id === lease?.context.subnetId) ?? subnet;
  if (isLiveLeaseOf(lease, clientKey)) {
    if (!isAddressValid(own, ip, reservationFor(own, request, clientKey))) return nak(deps, input, 'address-invalid');
    return ack(deps, { ...input, subnet: own }, ip, 'reboot', 'init-reboot');
  }
  if (mayTakeOver({ ...input, subnet: own }, lease) && !isFinal(lease.state)) {
    return takeOver(deps, { ...input, subnet: own }, lease, 'reboot', 'init-reboot');
  }
  if (deps.book.currentLeaseOf(own.id, clientKey) === undefined) {
    return own.authoritative ? nak(deps, input, 'no-lease') : drop('unknown-client');
  }
  return nak(deps, input, isLeaseOf(lease, clientKey) ? 'expired' : 'not-your-lease');
}
