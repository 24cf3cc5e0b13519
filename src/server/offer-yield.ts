// Offers do not reserve under pressure (docs/protocol.md "Offers yield under pressure"): when a pool has no free
// address, other clients' offers are what a new client can be offered — unreserved (offer-unreserved.ts), the
// holder keeping its offer, the first REQUEST winning the address. An offer still in its conflict-check probe is not
// offered before the probe ends (probing-offers.ts): its address has not been checked yet. A DISCOVER that finds
// only such offers joins one of their probes instead (offer-joined.ts).
import type { DhcpRequest } from '../codec/types.js';
import type { Subnet } from '../config/types.js';
import type { LeaseRecord } from '../../machines/lease.types.js';
import type { ServerDeps } from './deps.js';
import type { HandlerInput } from './handlers/input.js';
import { isAddressValid, reservationFor } from './lease-policy.js';

/** Candidates gathered per DISCOVER: enough to spread concurrent clients, bounded however large the pool. */
export const BUSY_POOL_CANDIDATES = 16;

/** What a full pool has for a new client: offered addresses it may be offered too, and those still in their probe. */
export interface BusyPool {
  readonly sent: readonly string[];
  /** Offers in their probe the client may be offered once it ends, oldest first (at most BUSY_POOL_CANDIDATES). */
  readonly probing: readonly LeaseRecord[];
  /** How many offers were in their probe (all of them, counted past the candidates). */
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
  const mayHold = holdable(subnet, request, clientKey);
  const before = deps.unreservedOffers.of(clientKey, subnet.id, now)?.ip;
  if (before !== undefined && shares(deps, mayHold, deps.book.get(before), now)) return { sent: [before], probing: [], inProbe: 0 };
  const sent: string[] = [];
  const probing: LeaseRecord[] = [];
  let inProbe = 0;
  for (const ip of deps.book.offeredOldestFirst(subnet.id)) {
    const holder = deps.book.get(ip); // applies a hold that ran out meanwhile: then it is no longer offered
    if (holder === undefined || !mayHold(holder)) continue;
    if (deps.probingOffers.inProbe(holder, now)) {
      inProbe++;
      if (probing.length < BUSY_POOL_CANDIDATES) probing.push(holder);
    } else if (sent.push(ip) >= BUSY_POOL_CANDIDATES) break;
  }
  return { sent, probing, inProbe };
}

/** Whether the client may be offered this address unreserved now: another client's offer, sent (out of its probe). */
export function mayShare(deps: ServerDeps, subnet: Subnet, request: DhcpRequest, clientKey: string, holder: LeaseRecord | undefined): boolean {
  return shares(deps, holdable(subnet, request, clientKey), holder, deps.clock.now());
}

/** Another client's offer of an address this client may hold (in the subnet's pools, not reserved for someone else). */
function holdable(subnet: Subnet, request: DhcpRequest, clientKey: string): (holder: LeaseRecord) => boolean {
  const mine = reservationFor(subnet, request, clientKey);
  return (holder) => holder.state === 'offered' && holder.context.clientKey !== clientKey && isAddressValid(subnet, holder.context.ip, mine);
}

const shares = (deps: ServerDeps, mayHold: (holder: LeaseRecord) => boolean, holder: LeaseRecord | undefined, now: number): boolean =>
  holder !== undefined && mayHold(holder) && !deps.probingOffers.inProbe(holder, now);
