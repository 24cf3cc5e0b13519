// Offers yield under pressure: an offer nobody REQUESTed is soft. When a pool has no free address, the oldest soft
// offer is withdrawn and its address offered to the new client, so a DISCOVER-only flood cannot starve a pool
// (docs/protocol.md "Offers yield under pressure"). An offer still in its conflict-check probe, or sent less than
// `offerRequestWindowMs` ago, is shielded (offer-shields.ts): its client may be answering right now. The first
// holder of a reclaimed offer, should it REQUEST later, is NAKed (offer-gone) and starts over — RFC 2131 §4.3.1
// makes the hold a SHOULD, and §3.1 step 4 has the client restart.
import type { ServerDeps } from './deps.js';
import type { HandlerInput } from './handlers/input.js';
import { isAddressValid, reservationFor } from './lease-policy.js';

/**
 * What a full pool has for a new client: an address taken from a soft offer; or none, with how many offers were
 * shielded and which of those were already sent (their addresses checked: they may be offered unreserved).
 */
export type Reclaim =
  | { readonly kind: 'reclaimed'; readonly ip: string }
  | { readonly kind: 'none'; readonly shielded: number; readonly sent: readonly string[] };

/**
 * The address of the oldest soft offer in the subnet that may go to this client, withdrawn from its holder. Walks
 * the offers oldest first: soft ones come first, shielded ones are the latest made (bounded by the shields).
 * Shields are judged at `arrivedAt`, when this DISCOVER was read: a DISCOVER that waited behind a backlog must not
 * take an offer whose REQUEST was read after it and is still queued (the window is the client's round trip, not
 * the server's lag).
 */
export function reclaimOldestOffer(deps: ServerDeps, input: HandlerInput): Reclaim {
  const { request, clientKey, subnet } = input;
  const mine = reservationFor(subnet, request, clientKey);
  const now = deps.clock.now();
  const arrivedAt = Math.min(input.inbound.receivedAt, now);
  let shielded = 0;
  const sent: string[] = [];
  for (const ip of deps.book.offeredOldestFirst(subnet.id)) {
    const holder = deps.book.get(ip); // applies a hold that ran out meanwhile: then it is no longer offered
    if (holder?.state !== 'offered' || holder.context.clientKey === clientKey) continue;
    if (!isAddressValid(subnet, ip, mine)) continue;
    if (deps.offerShields.protects(holder, arrivedAt)) {
      shielded++;
      if (deps.offerShields.wasSent(holder, arrivedAt)) sent.push(ip);
      continue;
    }
    deps.book.send(ip, { type: 'lease.withdraw', now });
    deps.stats.count(deps.stats.events, 'offer.reclaimed');
    deps.notices.note('info', 'offer.reclaimed', 'pool-full', 'pool full: oldest unrequested offer given to a new client', {
      subnet: subnet.cidr, ip, heldMs: now - holder.context.changedAt,
    });
    return { kind: 'reclaimed', ip };
  }
  return { kind: 'none', shielded, sent };
}
