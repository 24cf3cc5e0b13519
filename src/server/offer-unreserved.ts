// A full pool still answers (docs/protocol.md "Offers yield under pressure"): with no free address, the DISCOVER
// gets an OFFER of an address another client's offer already holds — one already sent, so checked by its conflict
// probe — and that offer stays. Neither reserves the address against the other: the first REQUEST wins it
// (handlers/unreserved-win.ts), as with ISC Kea, which holds no offers at all. Before, the oldest offer was taken
// from its client (reclaimed): a DISCOVER flood faster than the pool turned over left new clients unanswered, and
// a server lagging behind a flood took offers whose REQUESTs were already queued, then NAKed them.
import { MessageType } from '../codec/types.js';
import type { Decision, Reply } from './decision.js';
import type { ServerDeps } from './deps.js';
import type { HandlerInput } from './handlers/input.js';
import { leaseTimesSec } from './lease-policy.js';
import { buildReply, maxReplySize } from './reply.js';

/** An OFFER of one of `sent` (other clients' offers, already sent) that holds nothing; remembered for the REQUEST. */
export function offerUnreserved(deps: ServerDeps, input: HandlerInput, serverId: string, sent: readonly string[]): Decision {
  const ip = deps.unreservedOffers.choose(input.clientKey, input.subnet.id, sent, deps.clock.now());
  recordUnreserved(deps, input, ip, sent.length);
  return unreservedReply(input, serverId, ip);
}

/** The OFFER of `ip` to this client, unreserved: it holds no lease record and is not probed again. */
export function unreservedReply(input: HandlerInput, serverId: string, ip: string): Reply {
  const { request, subnet } = input;
  const message = buildReply(request, { type: MessageType.OFFER, serverId, yiaddr: ip, subnet, times: leaseTimesSec(subnet) });
  return { kind: 'reply', type: MessageType.OFFER, message, maxSize: maxReplySize(request), ip, subnet };
}

/** The client is offered `ip` unreserved now: what its REQUEST needs is remembered; counted and logged aggregated. */
export function recordUnreserved(deps: ServerDeps, input: Pick<HandlerInput, 'request' | 'clientKey' | 'subnet'>, ip: string, candidates: number): void {
  const { request, clientKey, subnet } = input;
  const now = deps.clock.now();
  const table = deps.unreservedOffers;
  const evicted = table.evicted;
  table.made(clientKey, { ip, subnetId: subnet.id, until: now + deps.config().offerHoldMs }, now);
  deps.stats.count(deps.stats.events, 'offer.unreserved');
  if (table.evicted > evicted) deps.stats.count(deps.stats.events, 'offer.unreserved.evicted', table.evicted - evicted);
  deps.notices.note('info', 'offer.unreserved', subnet.cidr, 'pool full: address offered without reserving it, the first REQUEST wins', {
    subnet: subnet.cidr, ip, client: clientKey, xid: request.xid, candidates,
  });
}
