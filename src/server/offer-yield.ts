// Offers do not reserve under pressure (docs/protocol.md "Offers yield under pressure"): when a pool has no free
// address, other clients' offers are what a new client can be offered — unreserved (offer-unreserved.ts), the
// holder keeping its offer, the first REQUEST winning the address. Only an offer still in its conflict-check probe
// is left out (probing-offers.ts): its address has not been checked yet.
import type { LeaseRecord } from '../../machines/lease.types.js';
import type { ServerDeps } from './deps.js';
import type { HandlerInput } from './handlers/input.js';
import { isAddressValid, reservationFor } from './lease-policy.js';

/** Candidates gathered per DISCOVER: enough to spread concurrent clients, bounded however large the pool. */
export const BUSY_POOL_CANDIDATES = 16;

/** What a full pool has for a new client: offered addresses it may be offered too, and how many were left out. */
export interface BusyPool {
  readonly sent: readonly string[];
  readonly inProbe: number;
}

/**
 * Other clients' offers in the subnet whose address this client may hold: the one it was offered unreserved before,
 * if it still qualifies (a retransmitted DISCOVER gets the same offer), else up to BUSY_POOL_CANDIDATES, oldest
 * first. Bound, declined and reserved-for-another addresses are never among them (only offers are walked).
 */
export function busyPool(deps: ServerDeps, input: HandlerInput): BusyPool {
  const { clientKey, subnet, request } = input;
  const now = deps.clock.now();
  const mine = reservationFor(subnet, request, clientKey);
  const shares = (holder: LeaseRecord | undefined): holder is LeaseRecord => holder?.state === 'offered'
    && holder.context.clientKey !== clientKey && isAddressValid(subnet, holder.context.ip, mine) && !deps.probingOffers.inProbe(holder, now);
  const before = deps.unreservedOffers.of(clientKey, subnet.id, now)?.ip;
  if (before !== undefined && shares(deps.book.get(before))) return { sent: [before], inProbe: 0 };
  const sent: string[] = [];
  let inProbe = 0;
  for (const ip of deps.book.offeredOldestFirst(subnet.id)) {
    const holder = deps.book.get(ip); // applies a hold that ran out meanwhile: then it is no longer offered
    if (holder !== undefined && deps.probingOffers.inProbe(holder, now)) inProbe++;
    else if (shares(holder) && sent.push(ip) >= BUSY_POOL_CANDIDATES) break;
  }
  return { sent, inProbe };
}
