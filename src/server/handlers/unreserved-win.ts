// The REQUEST of an unreserved offer (offer-unreserved.ts): the first REQUEST for the address wins it. Another
// client's offer there is replaced — that client's own REQUEST is then NAKed (offer-gone) and it starts over (RFC
// 2131 §3.1 step 4) — but an address bound, in grace, declined, or offered and still in its conflict-check probe is
// not taken: NAK (offer-gone). The binding is the ACK's one store write, as for any offer, so exactly one client
// ever binds the address; with a shared database that write is still what decides between servers.
import { hwAddressOf } from '../../codec/index.js';
import type { LeaseRecord } from '../../../machines/lease.types.js';
import { isFinal } from '../../leases/states.js';
import type { Decision } from '../decision.js';
import type { ServerDeps } from '../deps.js';
import { isAddressValid, reservationFor } from '../lease-policy.js';
import { ack, nak } from './ack-nak.js';
import type { HandlerInput } from './input.js';

export async function winUnreserved(deps: ServerDeps, input: HandlerInput, ip: string, lease: LeaseRecord | undefined): Promise<Decision> {
  const { request, clientKey, subnet } = input;
  const now = deps.clock.now();
  const offeredToOther = lease?.state === 'offered';
  if (lease !== undefined && !isFinal(lease.state) && (!offeredToOther || deps.probingOffers.inProbe(lease, now))) {
    return nak(deps, input, 'offer-gone');
  }
  if (!isAddressValid(subnet, ip, reservationFor(subnet, request, clientKey))) return nak(deps, input, 'address-invalid');
  const change = deps.book.takeOver({
    ip, subnetId: subnet.id, clientKey, hwAddress: hwAddressOf(request), now, holdMs: deps.config().offerHoldMs,
  });
  const decision = await ack(deps, input, ip, 'select', 'offer-accepted');
  if (decision.kind !== 'reply' || decision.nakReason !== undefined) {
    // Not stored (ack undid its own change): the other client's offer, if any, is put back as it was.
    deps.book.revert(change);
    return decision;
  }
  if (offeredToOther) {
    deps.stats.count(deps.stats.events, 'offer.won');
    deps.notices.note('info', 'offer.won', subnet.cidr, 'unreserved offer REQUESTed first: the other client\'s offer of the address is withdrawn', {
      subnet: subnet.cidr, ip, client: clientKey, holder: lease!.context.clientKey, xid: request.xid,
    });
  }
  return decision;
}
