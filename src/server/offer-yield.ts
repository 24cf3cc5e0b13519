// Offers yield under pressure: an offer nobody REQUESTed is soft. When a pool has no free address, the oldest such
// offer is withdrawn and its address offered to the new client, so a DISCOVER-only flood cannot starve a pool
// (docs/protocol.md "Offers yield under pressure"). Its first holder, should it REQUEST later, is NAKed
// (offer-gone) and starts over — RFC 2131 §4.3.1 makes the hold a SHOULD, and §3.1 step 4 has the client restart.
import type { DhcpRequest } from '../codec/types.js';
import type { Subnet } from '../config/types.js';
import type { ServerDeps } from './deps.js';
import { isAddressValid, reservationFor } from './lease-policy.js';

/** The address of the oldest offer in the subnet that may go to this client, withdrawn from its holder. */
export function reclaimOldestOffer(deps: ServerDeps, request: DhcpRequest, clientKey: string, subnet: Subnet): string | undefined {
  const mine = reservationFor(subnet, request, clientKey);
  for (const ip of deps.book.offeredOldestFirst(subnet.id)) {
    const holder = deps.book.get(ip); // applies a hold that ran out meanwhile: then it is no longer offered
    if (holder?.state !== 'offered' || holder.context.clientKey === clientKey) continue;
    if (!isAddressValid(subnet, ip, mine)) continue;
    const now = deps.clock.now();
    deps.book.send(ip, { type: 'lease.withdraw', now });
    deps.stats.count(deps.stats.events, 'offer.reclaimed');
    deps.notices.note('info', 'offer.reclaimed', 'pool-full', 'pool full: oldest unrequested offer given to a new client', {
      subnet: subnet.cidr, ip, heldMs: now - holder.context.changedAt,
    });
    return ip;
  }
  return undefined;
}
