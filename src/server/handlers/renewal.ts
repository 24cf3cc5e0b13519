// The renewal flow (RFC 2131 §4.3.2 RENEWING / REBINDING, and the owner's renewal diagram): find the lease
// (none → NAK) → expired: within the grace period extend it, else release it → still a valid address in a
// valid subnet? (no → NAK) → update the lease times → ACK.
import { isLeaseOf, isLive } from '../../leases/states.js';
import type { LeaseRecord } from '../../../machines/lease.types.js';
import { drop, type Decision } from '../decision.js';
import type { ServerDeps } from '../deps.js';
import { isAddressValid, reservationFor } from '../lease-policy.js';
import { persist } from '../persist.js';
import { reservedElsewhere } from '../reservation-move.js';
import { onSameLink, subnetContaining } from '../subnet-select.js';
import { ack, nak, type AckReason } from './ack-nak.js';
import type { HandlerInput } from './input.js';

/** A renewing client may unicast from anywhere, so its ciaddr, not the link, names its subnet. */
export async function renewal(deps: ServerDeps, input: HandlerInput, kind: 'renew' | 'rebind'): Promise<Decision> {
  const { request, clientKey } = input;
  const ip = request.ciaddr;
  const config = deps.config();
  const current = subnetContaining(config, ip);
  // RFC 2131 §4.3.2: a broadcast (REBINDING) request is checked against the network it was heard on.
  if (kind === 'rebind' && !onSameLink(config, input.subnet, current)) return nak(deps, input, 'wrong-network');
  const lease = deps.book.get(ip);
  if (!isLeaseOf(lease, clientKey)) {
    // A rebinding client asks every server: one with no record of it or its address stays silent unless it is
    // authoritative, so servers that do not share leases can coexist (as for INIT-REBOOT).
    const unknown = !deps.book.isTaken(ip) && deps.book.currentLeaseOf(current?.id ?? input.subnet.id, clientKey) === undefined;
    if (kind === 'rebind' && unknown && !(current ?? input.subnet).authoritative) return drop('unknown-client');
    return nak(deps, input, 'no-lease');
  }
  if (!isLive(lease.state)) return nak(deps, input, 'expired');
  let reason: AckReason = kind === 'renew' ? 'renewed' : 'rebound';
  if (lease.state === 'expired') {
    if (deps.clock.now() >= lease.context.graceUntil) return releaseAfterGrace(deps, input, lease);
    reason = 'grace-renewal';
  }
  // A reload may have moved the address out of its pool or removed its subnet.
  if (current === undefined || current.id !== lease.context.subnetId) return nak(deps, input, 'subnet-invalid');
  const reservation = reservationFor(current, request, clientKey);
  if (!isAddressValid(current, ip, reservation) || reservedElsewhere(deps, reservation, clientKey, ip)) {
    return nak(deps, input, 'address-invalid');
  }
  return ack(deps, { ...input, subnet: current }, ip, kind, reason);
}

/** The grace period is over (its timer has not run yet): the lease is released, logged, and the client NAKed. */
async function releaseAfterGrace(deps: ServerDeps, input: HandlerInput, lease: LeaseRecord): Promise<Decision> {
  const { ip } = lease.context;
  const change = deps.book.send(ip, { type: 'lease.release', now: deps.clock.now() });
  if (change !== undefined && (await persist(deps, change))) {
    deps.log.info({ evt: 'lease.released', reason: 'grace-expired', ip, client: input.clientKey, xid: input.request.xid },
      'expired lease released: grace period over');
  }
  return nak(deps, input, 'expired');
}
