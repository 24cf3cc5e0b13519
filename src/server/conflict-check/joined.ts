// The conflict check of a DISCOVER that joined another client's offer in its probe (offer-joined.ts): it waits for
// that probe's end (probing-offers.ts), then reads what the probe left in the book. Still that client's offer, sent
// (so checked): this OFFER of the same address goes out, unreserved (offer-unreserved.ts). The address answered (now
// on probation) or the offer went meanwhile: the DISCOVER chooses again, bounded like conflicts.
import type { CheckConflictInput } from '../../../machines/transaction.machine.js';
import { drop, type Reply } from '../decision.js';
import type { ServerDeps } from '../deps.js';
import { recordUnreserved } from '../offer-unreserved.js';
import { mayShare } from '../offer-yield.js';
import { checked, type ConflictVerdict } from './verdict.js';

export async function joinedProbe(deps: ServerDeps, input: CheckConflictInput, decision: Reply & { readonly ip: string }): Promise<ConflictVerdict> {
  const { clientKey, request } = input.packet;
  const { ip, subnet } = decision;
  await deps.probingOffers.endOf(ip, clientKey);
  if (subnet !== undefined && mayShare(deps, subnet, request, clientKey, deps.book.get(ip))) {
    recordUnreserved(deps, { request, clientKey, subnet }, ip, 1);
    return checked(decision);
  }
  deps.stats.count(deps.stats.events, 'offer.joined_probe.lost');
  return input.conflicts + 1 < deps.config().conflictCheck.maxCandidates ? { kind: 'conflict' } : checked(drop('offers-shielded'));
}
