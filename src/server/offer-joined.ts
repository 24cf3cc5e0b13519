// A full pool whose every offer is still in its conflict-check probe — the first `conflictCheck.timeoutMs` of a
// DISCOVER flood onto fresh addresses, which are all probed at once (docs/protocol.md "Offers yield under
// pressure"): the DISCOVER joins one of those probes instead of going unanswered. When the probe ends clean, the
// holder's OFFER goes out and then this one, of the same address, unreserved (conflict-check/joined.ts). A
// single-shot client (a monitoring probe, a client whose first retransmission comes after ~4 s) is answered within
// one probe's time instead of not at all. Bounded per probe and in all (probing-offers.ts); past that the DISCOVER
// is dropped as before (`offers-shielded`) and its client retransmits.
import type { LeaseRecord } from '../../machines/lease.types.js';
import type { Decision } from './decision.js';
import type { ServerDeps } from './deps.js';
import type { HandlerInput } from './handlers/input.js';
import { unreservedReply } from './offer-unreserved.js';
import { JOINS_PER_PROBE } from './probing-offers.js';

/** The OFFER to send once the joined probe ends, or undefined when every probe has its fill of joiners. */
export function joinProbe(deps: ServerDeps, input: HandlerInput, serverId: string, probing: readonly LeaseRecord[]): Decision | undefined {
  const { request, clientKey, subnet } = input;
  const target = leastJoined(deps, probing);
  if (target === undefined || !deps.probingOffers.join(target, clientKey, deps.clock.now())) return undefined;
  const ip = target.context.ip;
  deps.stats.count(deps.stats.events, 'offer.joined_probe');
  deps.notices.note('info', 'offer.joined_probe', subnet.cidr, 'pool full, every offer in its conflict-check probe: DISCOVER answered when one probe ends, unreserved', {
    subnet: subnet.cidr, ip, client: clientKey, xid: request.xid, probing: probing.length,
  });
  return { ...unreservedReply(input, serverId, ip), joinsProbe: true };
}

/** The probe with the fewest joiners (the oldest, so the soonest to end, among equals): joiners spread over the pool. */
function leastJoined(deps: ServerDeps, probing: readonly LeaseRecord[]): LeaseRecord | undefined {
  let best: LeaseRecord | undefined;
  let fewest = JOINS_PER_PROBE;
  for (const record of probing) {
    const n = deps.probingOffers.joinersOf(record.context.ip);
    if (n < fewest) [best, fewest] = [record, n];
    if (n === 0) break;
  }
  return best;
}
