// The reserved host back under another client identifier (issue 9): its REQUEST for the reserved address takes
// the lease over from its stale binding. The ACK's one atomic write stores the new binding in that binding's
// place (and drops the old key's index entry), so no crash can leave the address bound twice or to no one.
import { hwAddressOf } from '../../codec/index.js';
import type { LeaseRecord } from '../../../machines/lease.types.js';
import type { Decision } from '../decision.js';
import type { ServerDeps } from '../deps.js';
import { reservationFor } from '../lease-policy.js';
import { isSameHost } from '../same-host.js';
import { ack, type AckReason, type RequestKind } from './ack-nak.js';
import type { HandlerInput } from './input.js';

/** Whether `lease`, held under another key, is this host's reserved address it may take over. */
export function mayTakeOver(input: HandlerInput, lease: LeaseRecord | undefined): lease is LeaseRecord {
  if (lease === undefined || lease.context.clientKey === input.clientKey || lease.context.subnetId !== input.subnet.id) return false;
  return isSameHost(lease, reservationFor(input.subnet, input.request, input.clientKey), input.request);
}

export async function takeOver(deps: ServerDeps, input: HandlerInput, lease: LeaseRecord, kind: RequestKind, reason: AckReason): Promise<Decision> {
  const { ip } = lease.context;
  const { request, clientKey, subnet } = input;
  const change = deps.book.takeOver({
    ip, subnetId: subnet.id, clientKey, hwAddress: hwAddressOf(request), now: deps.clock.now(), holdMs: deps.config().offerHoldMs,
  });
  const decision = await ack(deps, input, ip, kind, reason);
  if (decision.kind !== 'reply' || decision.nakReason !== undefined) {
    // Not stored (ack undid its own change): the old binding is put back as it was.
    deps.book.revert(change);
    return decision;
  }
  deps.log.info({ evt: 'lease.released', reason: 'same-host', ip, client: lease.context.clientKey, by: clientKey, xid: request.xid },
    'reserved address taken over by the same host under another client identifier');
  return decision;
}
