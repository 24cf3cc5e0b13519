// DHCPREQUEST (RFC 2131 §4.3.2): SELECTING, INIT-REBOOT, RENEWING and REBINDING, told apart by option 54,
// option 50 and ciaddr; an ACK is sent only after the lease is durably stored.
import { getIpOption, hwAddressOf } from '../../codec/index.js';
import { MessageType, type DhcpRequest } from '../../codec/types.js';
import type { Subnet } from '../../config/types.js';
import type { LeaseRecord } from '../../../machines/lease.types.js';
import { isFinal } from '../../leases/lease-runner.js';
import type { Inbound } from '../../net/types.js';
import { drop, type Decision, type NakReason } from '../decision.js';
import type { ServerDeps } from '../deps.js';
import { commitTimes, isAddressValid, leaseTimesSec, reservationFor } from '../lease-policy.js';
import { buildReply, maxReplySize } from '../reply.js';
import { persist } from '../persist.js';
import { subnetContaining } from '../subnet-select.js';

export type RequestState = 'selecting' | 'init-reboot' | 'renewing' | 'rebinding';

export interface RequestInput {
  readonly request: DhcpRequest;
  readonly inbound: Inbound;
  readonly clientKey: string;
  readonly subnet: Subnet;
}

/** RFC 2131 §4.3.2 (and table 4 of §4.4.1). */
export function requestState(request: DhcpRequest, inbound: Inbound): RequestState | undefined {
  if (getIpOption(request, 54) !== undefined) return 'selecting';
  if (request.ciaddr === '0.0.0.0') return getIpOption(request, 50) !== undefined ? 'init-reboot' : undefined;
  // A renewing client unicasts to us; a rebinding one broadcasts (RFC 2131 §4.4.5).
  return inbound.broadcast === true ? 'rebinding' : 'renewing';
}

export async function handleRequest(deps: ServerDeps, input: RequestInput): Promise<Decision> {
  const state = requestState(input.request, input.inbound);
  switch (state) {
    case 'selecting':
      return selecting(deps, input);
    case 'init-reboot':
      return initReboot(deps, input);
    case 'renewing':
    case 'rebinding':
      return renewal(deps, input, state);
    default:
      return drop('malformed-request');
  }
}

async function selecting(deps: ServerDeps, input: RequestInput): Promise<Decision> {
  const { request, clientKey, subnet } = input;
  const serverId = deps.serverIdFor(subnet, input.inbound);
  const chosen = getIpOption(request, 54);
  const ip = getIpOption(request, 50);
  if (chosen !== serverId) {
    // The client took another server's offer: our held address goes back to the pool, silently.
    const mine = deps.book.forClient(subnet.id, clientKey);
    if (mine?.state === 'offered') deps.book.send(mine.context.ip, { type: 'lease.withdraw', now: deps.clock.now() });
    return drop('not-for-us');
  }
  if (ip === undefined) return drop('malformed-request');
  const lease = deps.book.get(ip);
  if (!isClients(lease, clientKey) || isFinal(lease.state) || lease.state === 'declined') {
    return nak(deps, input, 'offer-gone');
  }
  if (!isAddressValid(subnet, ip, reservationFor(subnet, request, clientKey))) return nak(deps, input, 'address-invalid');
  return commit(deps, input, ip, 'selecting');
}

async function initReboot(deps: ServerDeps, input: RequestInput): Promise<Decision> {
  const { request, clientKey, subnet } = input;
  const ip = getIpOption(request, 50)!;
  // RFC 2131 §4.3.2: a requested address on the wrong network is NAKed.
  if (subnetContaining(deps.config(), ip)?.id !== subnet.id) return nak(deps, input, 'wrong-network');
  const lease = deps.book.get(ip);
  const known = deps.book.forClient(subnet.id, clientKey);
  const reservation = reservationFor(subnet, request, clientKey);
  if (isClients(lease, clientKey) && !isFinal(lease.state) && lease.state !== 'declined') {
    if (!isAddressValid(subnet, ip, reservation)) return nak(deps, input, 'address-invalid');
    return commit(deps, input, ip, 'init-reboot');
  }
  if (known === undefined && lease === undefined) {
    // RFC 2131 §4.3.2: with no record of the client, stay silent unless this server is authoritative.
    return subnet.authoritative ? nak(deps, input, 'no-lease') : drop('unknown-client');
  }
  return nak(deps, input, 'not-your-lease');
}

/** A renewing client may unicast from anywhere, so its ciaddr, not the link, names its subnet. */
async function renewal(deps: ServerDeps, input: RequestInput, state: 'renewing' | 'rebinding'): Promise<Decision> {
  const { request, clientKey } = input;
  const ip = request.ciaddr;
  const lease = deps.book.get(ip);
  if (!isClients(lease, clientKey)) return nak(deps, input, 'no-lease');
  if (isFinal(lease.state) || lease.state === 'declined') return nak(deps, input, 'expired');
  if (lease.state === 'expired') {
    // The owner's renewal flow: within the grace period an expired lease is extended, after it released.
    if (deps.clock.now() >= lease.context.holdUntil) return nak(deps, input, 'expired');
    deps.log.info({ evt: 'lease.grace_renewal', ip, client: clientKey }, 'expired lease renewed within grace');
  }
  const current = subnetContaining(deps.config(), ip);
  if (current === undefined || current.id !== lease.context.subnetId) return nak(deps, input, 'subnet-invalid');
  if (!isAddressValid(current, ip, reservationFor(current, request, clientKey))) {
    return nak(deps, input, 'address-invalid');
  }
  return commit(deps, { ...input, subnet: current }, ip, state);
}

function isClients(lease: LeaseRecord | undefined, clientKey: string): lease is LeaseRecord {
  return lease !== undefined && lease.context.clientKey === clientKey;
}

async function commit(deps: ServerDeps, input: RequestInput, ip: string, state: RequestState): Promise<Decision> {
  const { request, clientKey, subnet } = input;
  const serverId = deps.serverIdFor(subnet, input.inbound);
  if (serverId === undefined) return drop('no-server-id');
  const now = deps.clock.now();
  const change = deps.book.send(ip, { type: 'lease.commit', ...commitTimes(deps.config(), subnet, now) });
  if (change === undefined) return nak(deps, input, 'no-lease');
  const durable = await persist(deps, change);
  if (!durable) return drop('store-unavailable');
  deps.log.info(
    { evt: change.before?.state === 'offered' ? 'lease.bound' : 'lease.renewed', ip, client: clientKey,
      hw: hwAddressOf(request), xid: request.xid, state, expiresAt: change.after.context.expiresAt },
    'lease acknowledged',
  );
  const message = buildReply(request, {
    type: MessageType.ACK, serverId, yiaddr: ip, subnet, times: leaseTimesSec(subnet),
  });
  return { kind: 'reply', type: MessageType.ACK, message, maxSize: maxReplySize(request), ip, subnet };
}

function nak(deps: ServerDeps, input: RequestInput, reason: NakReason): Decision {
  const serverId = deps.serverIdFor(input.subnet, input.inbound);
  if (serverId === undefined) return drop('no-server-id');
  const { request, clientKey } = input;
  deps.log.info({ evt: 'dhcp.nak', reason, client: clientKey, xid: request.xid, ip: getIpOption(request, 50) ?? request.ciaddr },
    'request refused');
  const message = buildReply(request, { type: MessageType.NAK, serverId, message: reason });
  return { kind: 'reply', type: MessageType.NAK, message, maxSize: maxReplySize(request), nakReason: reason };
}
