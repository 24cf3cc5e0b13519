// The two answers a REQUEST can get (RFC 2131 §4.3.2, table 3): an ACK once the lease is durably stored, or a NAK.
import { getIpOption, hwAddressOf } from '../../codec/index.js';
import { MessageType } from '../../codec/types.js';
import type { Subnet } from '../../config/types.js';
import type { LeaseChange } from '../../leases/lease-book.js';
import { isBinding, isLeaseOf } from '../../leases/states.js';
import { drop, type Decision, type NakReason } from '../decision.js';
import { clientClassOf } from '../client-class.js';
import type { ServerDeps } from '../deps.js';
import { commitTimes, leaseTimesSec } from '../lease-policy.js';
import { persist } from '../persist.js';
import { buildReply, maxReplySize } from '../reply.js';
import type { HandlerInput } from './input.js';

/**
 * What a REQUEST asks (RFC 2131 §4.3.2 names each by the client state that sends it: SELECTING, INIT-REBOOT,
 * RENEWING, REBINDING). Verbs, so they are not mistaken for the lease's own `renewing` / `rebinding` states.
 */
export type RequestKind = 'select' | 'reboot' | 'renew' | 'rebind';

/** Why an ACK was given, for the log: operators grep `evt` and read `reason`. */
export type AckReason = 'offer-accepted' | 'init-reboot' | 'renewed' | 'rebound' | 'grace-renewal';

/**
 * Binds (or extends) the lease, waits for the synced write, then builds the ACK; no ACK without the write. Not an
 * async function: its frame (this function's many locals, kept across the wait) was ~0.9 KB per ACK; the part after
 * the write is `acknowledged`.
 */
export function ack(deps: ServerDeps, input: HandlerInput, ip: string, kind: RequestKind, reason: AckReason): Promise<Decision> {
  const { clientKey, subnet } = input;
  const serverId = deps.serverIdFor(subnet, input.inbound);
  if (serverId === undefined) return Promise.resolve(drop('no-server-id'));
  const now = deps.clock.now();
  const times = commitTimes(deps.config(), subnet, now);
  // Field by field, not a spread of `times` into the event (a runtime copy per ACK).
  const change = deps.book.send(ip, {
    type: 'lease.commit', now: times.now, leaseMs: times.leaseMs, renewMs: times.renewMs, rebindMs: times.rebindMs, graceMs: times.graceMs,
  });
  if (change === undefined) return Promise.resolve(nak(deps, input, 'no-lease'));
  const superseded = supersede(deps, subnet.id, clientKey, ip);
  // The new binding and the release of the old one land in one batch: a crash between them cannot leave a
  // client with two bindings in a subnet.
  const persisted = superseded.length === 0 ? persist(deps, change) : persist(deps, change, ...superseded);
  return persisted.then((stored) => stored
    ? acknowledged(deps, input, ip, kind, reason, serverId, change, superseded)
    // Shared database: the lost write brought the winning row into the book. Never ACK another client's address.
    : isLeaseOf(deps.book.get(ip), clientKey) ? drop('store-unavailable') : nak(deps, input, 'not-your-lease'));
}

/** The ACK, once the lease is stored (ack's own values passed on as they are: no object to carry them). */
function acknowledged(
  deps: ServerDeps, input: HandlerInput, ip: string, kind: RequestKind, reason: AckReason, serverId: string,
  change: LeaseChange, superseded: readonly LeaseChange[],
): Decision {
  const { request, clientKey, subnet } = input;
  for (const old of superseded) {
    deps.log.info({ evt: 'lease.released', reason: 'superseded', ip: old.after.context.ip, client: clientKey, by: ip },
      'previous binding released: the client has a new address');
  }
  // The line's object (a spread among its fields) only when it is written: a daemon at warn built it per ACK for nothing.
  if (deps.log.isLevelEnabled('info')) {
    deps.log.info(
      { evt: change.before?.state === 'offered' ? 'lease.bound' : 'lease.renewed', reason, ip, client: clientKey,
        hw: hwAddressOf(request), xid: request.xid, request: kind, expiresAt: change.after.context.expiresAt, ...clientClassOf(request) },
      'lease acknowledged',
    );
  }
  const message = buildReply(request, {
    type: MessageType.ACK, serverId, yiaddr: ip, subnet, times: leaseTimesSec(subnet),
  });
  return { kind: 'reply', type: MessageType.ACK, message, maxSize: maxReplySize(request), ip, subnet };
}

/**
 * One binding per client per subnet: a client given a new address (after a reload made its old one invalid, or
 * moved its reservation) gives the old one up, else that address stays held, unrenewable, until it expires.
 */
function supersede(deps: ServerDeps, subnetId: number, clientKey: string, ip: string): readonly LeaseChange[] {
  // Nearly always the lease being bound is the client's only one in the subnet: then no list of its leases.
  if (!deps.book.hasLeaseElsewhere(subnetId, clientKey, ip)) return NONE;
  let released: LeaseChange[] | undefined;
  for (const record of deps.book.leasesOf(subnetId, clientKey)) {
    if (record.context.ip === ip || !isBinding(record.state)) continue;
    const change = deps.book.send(record.context.ip, { type: 'lease.release', now: deps.clock.now() });
    if (change !== undefined) (released ??= []).push(change);
  }
  // Nearly always none: no array per ACK then.
  return released ?? NONE;
}

const NONE: readonly LeaseChange[] = Object.freeze([]);

/** RFC 2131 §4.3.2: yiaddr 0, no lease options, our server identifier; egress broadcasts it or hands it to the relay. */
export function nak(deps: ServerDeps, input: Omit<HandlerInput, 'subnet'> & { readonly subnet?: Subnet }, reason: NakReason): Decision {
  const serverId = deps.serverIdFor(input.subnet, input.inbound);
  if (serverId === undefined) return drop('no-server-id');
  const { request, clientKey } = input;
  // Per-packet: a client refused again and again (or many of them) is one line per reason per interval, with the
  // count; the first of each interval keeps its client, xid and address.
  deps.notices.note('info', 'dhcp.nak', reason, 'request refused',
    { client: clientKey, xid: request.xid, ip: getIpOption(request, 50) ?? request.ciaddr });
  const message = buildReply(request, { type: MessageType.NAK, serverId, message: reason });
  return { kind: 'reply', type: MessageType.NAK, message, maxSize: maxReplySize(request), nakReason: reason };
}
