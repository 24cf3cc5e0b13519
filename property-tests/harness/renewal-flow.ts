// The renewal flow (RFC 2131 §4.3.2 RENEWING / REBINDING, the owner's renewal diagram) as the model walks it:
// each decision box — lease found? expired? within grace? subnet still valid? address still valid? — is its own
// invariant, so a server that decides one box wrongly is named by that box. The NAK's option 56 says which box
// refused, and an ACK must move the lease times to now (the "update lease times" box).
import { getOption } from '../../src/codec/index.js';
import type { DhcpMessage } from '../../src/codec/types.js';
import type { Subnet } from '../../src/config/types.js';
import type { LeaseRecord } from '../../machines/lease.types.js';
import { seen } from './coverage.js';
import { violated, type Answer, type Invariant } from './invariants.js';
import type { Model } from './model.js';
import { reservationMoves } from './reload-model.js';
import type { Client } from './scenario.js';

export type RenewalBox = Extract<Invariant, `renew-${string}`>;

export interface RenewalExpectation {
  /** The box that decides this request ('nak-rule' for the link checks before the flow starts). */
  readonly box: RenewalBox | 'nak-rule';
  readonly allowed: readonly Answer[];
  /** The NAK reason (option 56) that box gives; undefined when the model cannot tell (an offer it may have lost). */
  readonly reason?: string;
  /** Whose lease times an ACK carries. */
  readonly subnet?: Subnet;
}

const box = (b: RenewalExpectation['box'], allowed: readonly Answer[], reason?: string, subnet?: Subnet): RenewalExpectation =>
  ({ box: b, allowed, ...(reason !== undefined ? { reason } : {}), ...(subnet !== undefined ? { subnet } : {}) });

/** What the server must answer to a RENEWING (unicast, heard on lab0) or REBINDING (broadcast / relayed) request. */
export function renewalExpectation(m: Model, c: Client, a: string, kind: 'renewing' | 'rebinding'): RenewalExpectation {
  const home = m.subnetOf(c);
  // A renewal is unicast straight to the server, so it is heard on lab0 (subnet 1) even from behind the relay.
  const link = kind === 'renewing' ? m.config.subnets.find((s) => s.id === 1) : home;
  const subnet = m.subnetContaining(a);
  if (link === undefined) return orphan(m, c, a); // relayed, its subnet removed: no subnet
  // RFC 2131 §4.3.2: a REBINDING request is checked against the network it was heard on.
  if (kind === 'rebinding' && subnet?.id !== link.id) return box('nak-rule', ['nak'], 'wrong-network');
  // Lease found? The book's record at ciaddr must be this client's.
  if (m.records.get(a)?.client !== c.name) {
    const unknown = m.held(a).kind === 'free' && !m.knows(c, subnet?.id ?? link.id);
    const silent = kind === 'rebinding' && unknown && !(subnet ?? link).authoritative;
    return silent ? box('renew-found', ['silent']) : box('renew-found', ['nak'], 'no-lease');
  }
  const live = m.liveOf(c, a);
  const binding = m.bindings.get(a);
  const expired = binding !== undefined && binding.client === c.name && m.now >= binding.expiresAt;
  if (live === undefined) {
    // Expired and past its grace period, or released / declined / an offer that lapsed: NAK.
    return expired ? box('renew-grace', ['nak'], 'expired') : box('renew-expired', ['nak'], 'expired');
  }
  // An offer the server may have withdrawn (the model cannot tell): either answer, for a reason it cannot name.
  const sure = live !== 'maybe';
  const why = (reason: string): string | undefined => (sure ? reason : undefined);
  // Subnet still valid? A reload may have removed it (or the address is in another subnet now).
  const owner = binding ?? m.offers.get(a);
  if (subnet === undefined || owner?.subnetId !== subnet.id) return box('renew-subnet', ['nak'], why('subnet-invalid'), subnet);
  // Address still valid? A reload may have shrunk its pool or reserved it for another client.
  if (!m.valid(subnet, a, c)) return box('renew-address', ['nak'], why('address-invalid'), subnet);
  // A reservation (added by a reload) the client can have now takes effect here: NAK, and its DISCOVER gets it.
  const moves = reservationMoves(m, c, subnet, a);
  if (moves === 'maybe') return box('renew-address', ['ack', 'nak'], undefined, subnet);
  if (moves) return box('renew-address', ['nak'], why('address-invalid'), subnet);
  // Within grace the lease is extended like any renewal: the grace box decides this ACK.
  return box(expired ? 'renew-grace' : 'renew-ack', sure ? ['ack'] : ['ack', 'nak'], undefined, subnet);
}

/**
 * A request heard through a relay whose subnet a reload removed matches no subnet: dropped, unless the client's
 * lease at ciaddr is still live there — then NAKed, so it starts over at once (src/server/orphan-renewal.ts).
 */
function orphan(m: Model, c: Client, a: string): RenewalExpectation {
  const live = m.liveOf(c, a);
  const owner = m.bindings.get(a) ?? m.offers.get(a);
  const removed = owner !== undefined && !m.config.subnets.some((s) => s.id === owner.subnetId);
  if (m.records.get(a)?.client !== c.name || live === undefined || !removed) return box('nak-rule', ['silent']);
  return live === 'maybe' ? box('renew-subnet', ['nak', 'silent']) : box('renew-subnet', ['nak'], 'subnet-invalid');
}

/** Judges the answer box by box; `what` names the command for the report. */
export function checkRenewal(e: RenewalExpectation, answer: Answer, reply: DhcpMessage | undefined, what: string): void {
  seen(e.box === 'renew-grace' ? `renew-grace:${e.allowed.includes('ack') ? 'within' : 'over'}` : e.box);
  if (!e.allowed.includes(answer)) violated(e.box, `${what}: got ${answer}, the ${e.box} box expects ${e.allowed.join(' or ')}`);
  if (answer !== 'nak' || e.reason === undefined) return;
  const reason = getOption(reply!, 56)?.toString();
  if (reason !== e.reason) violated(e.box, `${what}: NAK says "${reason}", the ${e.box} box gives "${e.reason}"`);
}

/** "Update lease times": after a renewal's ACK the book's lease runs from now, with the scenario's times. */
export function checkRenewed(m: Model, record: LeaseRecord | undefined, subnet: Subnet, what: string): void {
  const t = m.timing(subnet.id);
  const want = { renewAt: m.now + t.renewMs, rebindAt: m.now + t.rebindMs, expiresAt: m.now + t.leaseMs };
  const got = record === undefined ? undefined : { renewAt: record.context.renewAt, rebindAt: record.context.rebindAt, expiresAt: record.context.expiresAt };
  if (got === undefined || got.renewAt !== want.renewAt || got.rebindAt !== want.rebindAt || got.expiresAt !== want.expiresAt) {
    violated('renew-ack', `${what}: the renewed lease runs ${JSON.stringify(got)}, expected ${JSON.stringify(want)} (from now)`);
  }
}
