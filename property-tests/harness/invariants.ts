// The issue's invariants, each under a stable tag so a mutant test can say which one caught it.
import { getU32Option, messageTypeOf } from '../../src/codec/index.js';
import { MessageType, type DhcpMessage } from '../../src/codec/types.js';
import type { Subnet } from '../../src/config/types.js';
import type { LeaseState } from '../../machines/lease.types.js';
import { Model } from './model.js';
import { ADDRESSES, CLIENTS, type Client, type Timing } from './scenario.js';
import type { Outcome, ServerUnderTest } from './server-under-test.js';

export type Invariant =
  | 'one-holder' | 'one-binding' | 'in-pool' | 'reservation' | 'durable' | 'probation' | 'released-free'
  | 'nak-rule' | 'no-reply' | 'lease-times' | 'expiry-free' | 'offer-rule' | 'lease-state' | 'no-crash' | 'reload'
  // The decision boxes of the renewal flow (renewal-flow.ts).
  | 'renew-found' | 'renew-expired' | 'renew-grace' | 'renew-subnet' | 'renew-address' | 'renew-ack';

export class InvariantViolation extends Error {
  constructor(readonly invariant: Invariant, detail: string) {
    super(`[${invariant}] ${detail}`);
  }
}

export function violated(invariant: Invariant, detail: string): never {
  throw new InvariantViolation(invariant, detail);
}

export type Answer = 'ack' | 'nak' | 'offer' | 'silent';

/** The one reply (or silence) to a message; a failed transaction or a second reply is a defect of its own. */
export function answerOf(outcome: Outcome, what: string): { answer: Answer; reply?: DhcpMessage } {
  if (outcome.drops.includes('transaction-failed')) violated('no-crash', `${what}: the transaction failed`);
  if (outcome.replies.length > 1) violated('no-reply', `${what}: ${outcome.replies.length} replies`);
  const reply = outcome.replies[0];
  if (reply === undefined) return { answer: 'silent' };
  const type = messageTypeOf(reply);
  const answer = type === MessageType.ACK ? 'ack' : type === MessageType.NAK ? 'nak' : type === MessageType.OFFER ? 'offer' : undefined;
  if (answer === undefined) violated('nak-rule', `${what}: reply of type ${type}`);
  return { answer, reply };
}

/** RFC 2131 §4.3.1/§4.3.2 checks on an address the server OFFERs or ACKs to a client (`unreserved`: without holding it). */
export function checkGrant(model: Model, client: Client, subnet: Subnet, reply: DhcpMessage, what: string, unreserved = false): void {
  const ip = reply.yiaddr;
  const h = model.held(ip);
  if (model.reservedForOther(subnet, ip, client)) violated('reservation', `${what}: ${ip} is reserved for another client`);
  if (h.kind === 'declined') violated('probation', `${what}: ${ip} is declined until ${model.declined.get(ip)!.until}`);
  // An unreserved offer (and the REQUEST that wins it) may name an address another client's offer holds.
  if ((h.kind === 'binding' || (h.kind === 'offer' && !unreserved)) && h.client !== client.name) {
    violated('one-holder', `${what}: ${ip} is held (${h.kind === 'binding' ? h.phase : 'offered'}) by ${h.client}`);
  }
  const mine = model.reservationOf(client, subnet);
  if (!(mine !== undefined && ipEq(mine.address, ip)) && !model.inPools(subnet, ip)) {
    violated('in-pool', `${what}: ${ip} is outside the pools of ${subnet.cidr} and not the client's reservation`);
  }
  checkTimes(model.timing(subnet.id), reply, what);
}

function checkTimes(timing: Timing, reply: DhcpMessage, what: string): void {
  const lease = getU32Option(reply, 51);
  const t1 = getU32Option(reply, 58);
  const t2 = getU32Option(reply, 59);
  const [want, wantT1, wantT2] = [timing.leaseMs / 1000, timing.renewMs / 1000, timing.rebindMs / 1000];
  if (lease !== want || t1 !== wantT1 || t2 !== wantT2) {
    violated('lease-times', `${what}: lease/T1/T2 ${lease}/${t1}/${t2}, configured ${want}/${wantT1}/${wantT2}`);
  }
  if (!(t1 < t2 && t2 < lease)) violated('lease-times', `${what}: not T1 < T2 < lease: ${t1} ${t2} ${lease}`);
}

/** The answer must be one of `allowed`; `tag` names the invariant (RELEASE and DECLINE use 'no-reply'). */
export function expectAnswer(got: Answer, allowed: readonly Answer[], what: string, tag: Invariant = 'nak-rule'): void {
  if (allowed.includes(got)) return;
  violated(tag, `${what}: got ${got}, RFC 2131 expects ${allowed.join(' or ')}`);
}

const BINDING_STATES: ReadonlySet<LeaseState> = new Set(['bound', 'renewing', 'rebinding', 'expired']);

/** After every command: the lease book holds exactly what the model says, address by address. */
export function checkBook(model: Model, server: ServerUnderTest, afterRestart: boolean): void {
  const book = server.book;
  const perClient = new Map<string, string[]>();
  for (const r of book.values()) {
    if (!BINDING_STATES.has(r.state)) continue;
    const key = `${r.context.subnetId}/${r.context.clientKey}`;
    perClient.set(key, [...(perClient.get(key) ?? []), r.context.ip]);
  }
  for (const [key, list] of perClient) if (list.length > 1) violated('one-binding', `${key} holds ${list.join(', ')}`);
  const ips = new Set([...ADDRESSES, ...[...book.values()].map((r) => r.context.ip)]);
  for (const ip of ips) {
    const h = model.held(ip);
    const record = book.get(ip);
    const owner = CLIENTS.find((c) => c.key === record?.context.clientKey)?.name;
    switch (h.kind) {
      case 'maybe':
        break;
      case 'free':
        if (book.isTaken(ip)) violated(freedBy(model, ip), `${ip} should be free, the book has it ${record!.state} for ${owner}`);
        break;
      case 'binding':
        if (owner !== h.client || record?.state !== h.phase) {
          violated(afterRestart ? 'durable' : 'lease-state',
            `${ip} was ACKed to ${h.client} (${h.phase}), the book has ${record ? `${record.state} for ${owner}` : 'nothing'}`);
        }
        break;
      case 'offer':
        if (owner !== h.client || record?.state !== 'offered') violated('lease-state', `${ip} offered to ${h.client}, book: ${record?.state} ${owner}`);
        break;
      case 'declined':
        if (record?.state !== 'declined') violated('probation', `${ip} declined, in probation; book: ${record?.state ?? 'nothing'}`);
        break;
    }
  }
}

/** Why the model thinks an address is free: names the invariant a wrongly held address breaks. */
function freedBy(model: Model, ip: string): Invariant {
  const b = model.bindings.get(ip);
  if (b !== undefined) return 'expiry-free';
  const d = model.declined.get(ip);
  if (d !== undefined) return 'probation';
  if (model.persisted.has(ip) && !model.offers.has(ip)) return 'released-free';
  return 'lease-state';
}

const ipEq = (n: number, ip: string): boolean => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.') === ip;
