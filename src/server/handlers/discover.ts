// DHCPDISCOVER (RFC 2131 §4.3.1): choose an address, hold it for the client, answer with an OFFER.
import { getIpOption, hwAddressOf, intToIp, ipToInt } from '../../codec/index.js';
import { MessageType, type DhcpRequest } from '../../codec/types.js';
import type { Reservation, Subnet } from '../../config/types.js';
import { chooseAddress, type Candidates, type NextFreeSearch } from '../../allocator/allocator.js';
import { isFinal, isLive } from '../../leases/states.js';
import { briefError } from '../../aggregated-log.js';
import { LeaseError } from '../../errors.js';
import { drop, type Decision } from '../decision.js';
import { needsConflictCheck } from '../conflict-check/needs-check.js';
import { cursorFor, type ServerDeps } from '../deps.js';
import { isAddressValid, isFreeFor, leaseTimesSec, reservationFor } from '../lease-policy.js';
import { offerUnreserved } from '../offer-unreserved.js';
import { joinProbe } from '../offer-joined.js';
import { busyPool } from '../offer-yield.js';
import { buildReply, maxReplySize } from '../reply.js';
import { reservedElsewhere } from '../reservation-move.js';
import { isSameHost } from '../same-host.js';
import type { HandlerInput } from './input.js';
import type { LeaseRecord } from '../../../machines/lease.types.js';

export function handleDiscover(deps: ServerDeps, input: HandlerInput): Decision {
  const { request, inbound, clientKey, subnet } = input;
  const serverId = deps.serverIdFor(subnet, inbound);
  if (serverId === undefined) return drop('no-server-id');
  // The client's lease as of now, read once: the choice and the hold both start from it, and nothing in between
  // changes the book (a read is a hash of the client key and a probe per candidate address).
  const current = deps.book.currentLeaseOf(subnet.id, clientKey);
  const ip = pickOfferAddress(deps, request, clientKey, subnet, current);
  if (ip === undefined) {
    // Full, not exhausted while other clients' offers were sent: one of their addresses, unreserved (offer-unreserved.ts).
    const busy = busyPool(deps, input);
    if (busy.sent.length > 0) return offerUnreserved(deps, input, serverId, busy.sent);
    // Every other offer is in its probe: answered when one of them ends clean (offer-joined.ts), within bounds.
    return joinProbe(deps, input, serverId, busy.probing) ?? noAddress(deps, input, busy.inProbe);
  }
  deps.unreservedOffers.forget(clientKey);
  const probe = needsConflictCheck(deps, subnet, request, clientKey, ip);
  // One reading of the clock for the hold and its probe: the offer's times agree, and the clock is asked once.
  const now = deps.clock.now();
  holdOffer(deps, request, clientKey, subnet, ip, now, current);
  trackProbe(deps, clientKey, ip, probe, now);
  const message = buildReply(request, {
    type: MessageType.OFFER, serverId, yiaddr: ip, subnet, times: leaseTimesSec(subnet),
  });
  const maxSize = maxReplySize(request);
  // Two literals rather than a spread of `{ probe }` or `{}` into one (a copy of the object per OFFER).
  return probe
    ? { kind: 'reply', type: MessageType.OFFER, message, maxSize, ip, subnet, probe }
    : { kind: 'reply', type: MessageType.OFFER, message, maxSize, ip, subnet };
}

/**
 * The pool is full and nothing can be offered even unreserved. With offers in their conflict-check probe whose
 * joiners are at their bounds (probing-offers.ts) it is only busy — an address not yet checked is offered to no one
 * else: the DISCOVER goes unanswered and its client retransmits (RFC 2131 §4.1), by when the probes have ended.
 * Otherwise every address is bound, in grace or declined. Either way one aggregated line per subnet per interval,
 * not per packet.
 */
function noAddress(deps: ServerDeps, input: HandlerInput, inProbe: number): Decision {
  const { request, clientKey, subnet } = input;
  if (inProbe > 0) {
    deps.notices.note('warn', 'offer.shielded', subnet.cidr, 'pool full, every offer in its conflict-check probe and joined to its bound: DISCOVER unanswered, the client retransmits', {
      subnet: subnet.cidr, client: clientKey, xid: request.xid, shielded: inProbe,
    });
    return drop('offers-shielded');
  }
  const err = new LeaseError('DHCPD_ERR_LEASE_POOL_EXHAUSTED', `no free address in ${subnet.cidr}`);
  deps.notices.note('warn', 'pool.exhausted', subnet.cidr, 'no free address', {
    err: briefError(err), subnet: subnet.cidr, client: clientKey, xid: request.xid,
  });
  return drop('pool-exhausted');
}

/** An offer in its probe is offered to no one else until its OFFER goes out (probing-offers.ts). */
function trackProbe(deps: ServerDeps, clientKey: string, ip: string, probe: boolean, now: number): void {
  const record = deps.book.get(ip);
  if (record?.state !== 'offered' || record.context.clientKey !== clientKey) return;
  deps.probingOffers.held(record, now, probe ? deps.config().conflictCheck.timeoutMs : 0);
}

function pickOfferAddress(
  deps: ServerDeps, request: DhcpRequest, clientKey: string, subnet: Subnet, current: LeaseRecord | undefined,
): string | undefined {
  const reservation = reservationFor(subnet, request, clientKey);
  const isFree = isFreeFor(deps, subnet, reservation);
  const requested = getIpOption(request, 50);
  // An existing binding a reload made invalid (outside the pools, now reserved for someone else, or its client now
  // has a reservation it can have) is not offered again: its renewals are NAKed, so it would only lead to a NAK.
  const live = current !== undefined && isLive(current.state)
    && isAddressValid(subnet, current.context.ip, reservation) && !reservedElsewhere(deps, reservation, clientKey, current.context.ip);
  // One object of fixed shape (absent candidates undefined), not one spread per candidate.
  const candidates: Candidates = {
    // RFC 2131 §4.3.1: a binding is the client's current address; a mere offer is not, so an address it asks for
    // that has become free (released by another client) comes before the offer.
    existing: live && current.state !== 'offered' ? ipToInt(current.context.ip) : undefined,
    offered: live && current.state === 'offered' ? ipToInt(current.context.ip) : undefined,
    reserved: reservation !== undefined && reservationUsable(deps, reservation, request, clientKey) ? reservation.address : undefined,
    requested: requested !== undefined ? ipToInt(requested) : undefined,
    previous: current !== undefined && isFinal(current.state) ? ipToInt(current.context.ip) : undefined,
  };
  const search: NextFreeSearch = (_pools, free, cursor) => deps.freeAddresses.nextFree(subnet, free, cursor);
  const choice = chooseAddress(subnet.pools, candidates, isFree, cursorFor(deps, subnet.id), search);
  return choice.kind === 'chosen' ? intToIp(choice.ip) : undefined;
}

/**
 * A reserved address held by another client (e.g. leased before the reservation existed) cannot be offered, nor
 * one on probation after a DECLINE (RFC 2131 §4.3.3) — even the client's own: someone else answers ARP for it.
 * The reserved host itself under another client identifier is not another client (its REQUEST takes it over).
 */
function reservationUsable(deps: ServerDeps, reservation: Reservation, request: DhcpRequest, clientKey: string): boolean {
  const ip = intToIp(reservation.address);
  const xid = request.xid;
  const holder = deps.book.get(ip);
  if (holder === undefined || isFinal(holder.state)) return true;
  if (holder.context.clientKey === clientKey) return holder.state !== 'declined';
  if (isSameHost(holder, reservation, request)) return true;
  const err = new LeaseError('DHCPD_ERR_LEASE_CONFLICT', `reserved address ${ip} is held by another client`);
  deps.log.warn({ evt: 'reservation.conflict', err, ip, client: clientKey, holder: holder.context.clientKey, xid },
    'reserved address held by another client: offering a pool address instead');
  return false;
}

/** A fresh offer starts a lease machine; a retransmitted DISCOVER extends the hold; a bound lease is re-offered as is. */
function holdOffer(
  deps: ServerDeps, request: DhcpRequest, clientKey: string, subnet: Subnet, ip: string, now: number, mine: LeaseRecord | undefined,
): void {
  const holdMs = deps.config().offerHoldMs;
  // An offer the client no longer takes (it asked for an address that has become free) goes back to the pool.
  if (mine?.state === 'offered' && mine.context.ip !== ip) deps.book.send(mine.context.ip, { type: 'lease.withdraw', now });
  const record = deps.book.get(ip);
  if (record !== undefined && record.context.clientKey === clientKey && !isFinal(record.state)) {
    if (record.state === 'offered') deps.book.send(ip, { type: 'lease.offer', now, holdMs });
    return;
  }
  // The host's reserved address under its other identifier: that lease keeps holding it until the REQUEST.
  if (record !== undefined && !isFinal(record.state)) return;
  deps.book.offer({ ip, subnetId: subnet.id, clientKey, hwAddress: hwAddressOf(request), now, holdMs });
  // One line per offer of a free address: bounded by the pool (and its holds) even under a DISCOVER flood, whose
  // DISCOVERs past the pool are offered unreserved and logged aggregated (offer.unreserved).
  // The line's object only when it is written (a daemon at warn would build it per DORA for nothing).
  if (deps.log.isLevelEnabled('info')) deps.log.info({ evt: 'lease.offered', ip, client: clientKey, xid: request.xid }, 'address offered');
}
