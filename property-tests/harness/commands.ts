// The client commands of the whole-server model (fc.commands): messages of every RFC 2131 kind. Each one predicts
// the answer from the model, sends, checks the answer and the lease book, and updates the model.
import type fc from 'fast-check';
import { MessageType, type DhcpMessage } from '../../src/codec/types.js';
import type { Subnet } from '../../src/config/types.js';
import { clientMessage, type ClientSpec } from '../../test/helpers/test-client.js';
import { answerOf, checkBook, checkGrant, expectAnswer, violated, type Answer } from './invariants.js';
import { Model, type Concurrent } from './model.js';
import { checkRenewal, checkRenewed, renewalExpectation } from './renewal-flow.js';
import { ADDRESSES, type Client } from './scenario.js';
import type { Outcome, Sending, ServerUnderTest } from './server-under-test.js';
import { seen } from './coverage.js';
import { reservationMoves } from './reload-model.js';

export type Cmd = fc.AsyncCommand<Model, ServerUnderTest>;
const OUR_ID = '198.51.100.1';
const OTHER_ID = '198.51.100.2';

/** 'own' is the address the client last heard of; a number picks from ADDRESSES. */
export type AddressChoice = 'own' | number;

export function pick(m: Model, c: Client, choice: AddressChoice): string {
  if (choice !== 'own') return ADDRESSES[choice % ADDRESSES.length]!;
  return m.lastAddress.get(c.name) ?? (c.relayed ? '203.0.113.100' : '198.51.100.100');
}

const direct = (c: Client): ClientSpec => ({ mac: c.spec.mac, ...(c.spec.clientId ? { clientId: c.spec.clientId } : {}) });
const label = (choice: AddressChoice) => (choice === 'own' ? "'own'" : String(choice));

export abstract class Base implements Cmd {
  check(): boolean {
    return true;
  }
  async run(m: Model, s: ServerUnderTest): Promise<void> {
    await this.act(m, s);
    checkBook(m, s, this.restarts());
  }
  protected abstract act(m: Model, s: ServerUnderTest): Promise<void>;
  protected restarts(): boolean {
    return false;
  }
  abstract toString(): string;
}

export class Discover extends Base {
  constructor(readonly client: string, readonly requested?: AddressChoice) { super(); }
  toString() { return `new Discover('${this.client}'${this.requested === undefined ? '' : `, ${label(this.requested)}`})`; }
  protected async act(m: Model, s: ServerUnderTest): Promise<void> {
    const c = Model.client(this.client);
    const req = this.requested === undefined ? undefined : pick(m, c, this.requested);
    const out = await s.send(clientMessage(c.spec, MessageType.DISCOVER, req ? { requested: req } : {}), { broadcast: !c.relayed });
    Discover.judge(m, c, req, out, `${this} (req ${req ?? '-'})`);
  }

  /**
   * Checks the server's answer to one DISCOVER against the model, then records the offer. `concurrent`: the
   * addresses offered by DISCOVERs decided at the same time as this one (a Burst), which may have been in their
   * conflict-check probe when this one was decided.
   */
  static judge(m: Model, c: Client, req: string | undefined, out: Outcome, what: string, concurrent: Concurrent = new Map()): void {
    const subnet = m.subnetOf(c);
    const { answer, reply } = answerOf(out, what);
    if (m.blocked(c)) return expectAnswer(answer, ['silent'], `${what} from a client over its decline limit`);
    if (subnet === undefined) return expectAnswer(answer, ['silent'], `${what}: its subnet was removed by a reload`, 'offer-rule');
    const unreserved = answer === 'offer' && offersUnreserved(m, c, subnet, reply!.yiaddr, what, concurrent, out.order);
    if (answer === 'offer') checkGrant(m, c, subnet, reply!, what, unreserved);
    expectAnswer(answer, ['offer', 'silent'], what);
    seen(`discover:${answer}`);
    const current = m.current(c, subnet.id);
    const reservation = m.usableReservation(c, subnet);
    const moves = current === undefined || current === 'ambiguous' ? false : reservationMoves(m, c, subnet, current);
    const sure = current !== 'ambiguous' && (reservation === undefined || m.held(reservation).kind !== 'maybe') && moves !== 'maybe';
    const keeps = current !== undefined && current !== 'ambiguous' && m.valid(subnet, current, c) && !moves;
    const bound = keeps && m.held(current).kind === 'binding';
    const asked = req !== undefined && m.freeFor(c, subnet, req) ? req : undefined;
    // RFC 2131 §4.3.1: the current binding (if still valid), else the reservation, else the requested address if
    // free (a released one included), else the client's outstanding offer, else any free.
    const expected = !sure ? undefined : bound ? current : reservation ?? asked ?? (keeps ? current : undefined);
    if (answer === 'silent') {
      if (keeps || reservation !== undefined || m.anyFreeFor(c, subnet)) violated('offer-rule', `${what}: silent though an address is available`);
      // A busy pool still answers: an address whose offer was sent is offered unreserved (offer-unreserved.ts), one
      // whose offer is in its probe once that probe ends (offer-joined.ts); silence only when no other offer surely
      // exists (the bounds on joiners are far beyond the model's clients).
      const sharable = m.answerable(c, subnet, concurrent);
      if (sharable.length > 0) violated('offer-rule', `${what}: silent though ${sharable.join(', ')} could be offered unreserved`);
      return;
    }
    if (expected !== undefined && reply!.yiaddr !== expected) violated('offer-rule', `${what}: offered ${reply!.yiaddr}, expected ${expected}`);
    if (unreserved) {
      seen('discover:unreserved');
      return m.offeredUnreserved(c, subnet, reply!.yiaddr);
    }
    m.offered(c, subnet, reply!.yiaddr);
  }
}

/**
 * A busy pool (no free address for the client) answers with an unreserved offer: an address another client's offer
 * holds, already sent — or in its probe when the DISCOVER came, and then sent only after the holder's OFFER, which
 * ends that probe clean (a joined probe); that offer stays. A retransmitted DISCOVER gets the same address while it
 * still qualifies. True when this reply is one. `order`: where this reply came among a burst's replies.
 */
function offersUnreserved(m: Model, c: Client, subnet: Subnet, offered: string, what: string, concurrent: Concurrent, order: number): boolean {
  const holder = m.shareable(c, subnet, concurrent).find((o) => o.ip === offered);
  if (holder === undefined) return false;
  if (m.anyFreeFor(c, subnet)) violated('one-holder', `${what}: offered ${offered}, held by another client's offer, though an address is free`);
  if (holder.sent === 'no') {
    if (!((holder.sentAt ?? Infinity) < order)) violated('offer-rule', `${what}: offered ${offered} unreserved before its offer's conflict-check probe ended`);
    seen('discover:joined-probe');
  }
  const mine = m.unreservedOf(c, subnet.id)?.ip;
  if (mine !== undefined && mine !== offered && m.unreservable(c, subnet, concurrent, true).includes(mine)) {
    violated('offer-rule', `${what}: offered ${offered} unreserved; its unreserved offer of ${mine} still stands`);
  }
  return true;
}

export type RequestKind = 'selecting' | 'other-server' | 'init-reboot' | 'renewing' | 'rebinding';

export class Request extends Base {
  constructor(readonly client: string, readonly kind: RequestKind, readonly address: AddressChoice) { super(); }
  toString() { return `new Request('${this.client}', '${this.kind}', ${label(this.address)})`; }
  protected async act(m: Model, s: ServerUnderTest): Promise<void> {
    const c = Model.client(this.client);
    const a = pick(m, c, this.address);
    this.judge(m, c, a, await this.send(s, c, a), s);
  }

  /**
   * Checks the server's answer to this REQUEST against RFC 2131 §4.3.2 as the model sees it (a renewal box by box,
   * with the renewed lease read back from the server's book when it is given); records an ACK.
   */
  judge(m: Model, c: Client, a: string, out: Outcome, s?: ServerUnderTest): void {
    const what = `${this} for ${a}`;
    const { answer, reply } = answerOf(out, what);
    if (m.blocked(c)) {
      seen('blocked');
      return expectAnswer(answer, ['silent'], `${what} from a client over its decline limit`);
    }
    const renewal = this.kind === 'renewing' || this.kind === 'rebinding' ? renewalExpectation(m, c, a, this.kind) : undefined;
    const expected: { allowed: readonly Answer[]; subnet?: Subnet | undefined; wins?: boolean } = renewal ?? this.expectation(m, c, a);
    const { allowed, subnet, wins = false } = expected;
    // A SELECTING REQUEST uses up the client's unreserved offer of the address, win or lose; choosing another
    // server gives it up.
    const lapsed = m.unreserved.get(c.name);
    if (this.kind === 'selecting' && lapsed?.ip === a && m.now >= lapsed.until) seen('selecting:unreserved-lapsed');
    if (subnet !== undefined && ((this.kind === 'selecting' && m.unreservedOf(c, subnet.id)?.ip === a) || this.kind === 'other-server')) {
      m.unreserved.delete(c.name);
    }
    // A renewal is judged by its decision box first: that names the box a wrong answer came from.
    if (renewal !== undefined) checkRenewal(renewal, answer, reply, what);
    if (answer === 'ack') {
      if (reply!.yiaddr !== a) violated('nak-rule', `${what}: ACK for ${reply!.yiaddr}`);
      if (subnet === undefined) return violated('nak-rule', `${what}: ACK though ${a} is in no subnet of the client`);
      checkGrant(m, c, subnet, reply!, what, wins);
      if (renewal !== undefined && s !== undefined) checkRenewed(m, s.book.get(a), subnet, what);
      if (wins) seen('selecting:unreserved-won');
    }
    expectAnswer(answer, allowed, what);
    seen(`${this.kind}:${answer}`);
    if (this.kind === 'other-server' && subnet !== undefined) m.withdrawn(c, subnet.id);
    if (answer !== 'ack' || subnet === undefined) return;
    m.acked(c, subnet, a);
    const held = m.bindingsOf(c, subnet.id);
    if (held.length > 1) violated('one-binding', `${what}: ${c.name} now holds ${held.join(', ')} in ${subnet.cidr}`);
  }

  send(s: ServerUnderTest, c: Client, a: string): Promise<Outcome> {
    const { message, route } = this.message(c, a);
    return s.send(message, route);
  }

  message(c: Client, a: string): Sending {
    switch (this.kind) {
      case 'selecting':
      case 'other-server':
        return { message: clientMessage(c.spec, MessageType.REQUEST, { requested: a, serverId: this.kind === 'selecting' ? OUR_ID : OTHER_ID }), route: { broadcast: !c.relayed } };
      case 'init-reboot':
        return { message: clientMessage(c.spec, MessageType.REQUEST, { requested: a }), route: { broadcast: !c.relayed } };
      case 'renewing':
        // RFC 2131 §4.4.5: unicast straight to the server, even from behind a relay.
        return { message: clientMessage(direct(c), MessageType.REQUEST, { ciaddr: a }), route: { broadcast: false } };
      case 'rebinding':
        return { message: clientMessage(c.spec, MessageType.REQUEST, { ciaddr: a }), route: { broadcast: !c.relayed } };
    }
  }

  /** RFC 2131 §4.3.2 as the model sees it (SELECTING and INIT-REBOOT): which answers are right, whose lease times apply. */
  private expectation(m: Model, c: Client, a: string): { allowed: Answer[]; subnet?: Subnet; wins?: boolean } {
    const home = m.subnetOf(c);
    // A relayed client whose subnet a reload removed: nothing serves its link.
    if (home === undefined) return { allowed: ['silent'] };
    const live = m.liveOf(c, a);
    const commit = (valid: boolean): Answer[] => (!valid ? ['nak'] : live === 'maybe' ? ['ack', 'nak'] : live ? ['ack'] : ['nak']);
    switch (this.kind) {
      case 'other-server':
        return { allowed: ['silent'], subnet: home };
      case 'init-reboot': {
        if (m.subnetContaining(a)?.id !== home.id) return { allowed: ['nak'], subnet: home };
        if (live) return { allowed: commit(m.valid(home, a, c)), subnet: home };
        // RFC 2131 §4.3.2: no record of the client: silence unless authoritative.
        if (!m.knows(c, home.id)) return { allowed: [home.authoritative ? 'nak' : 'silent'], subnet: home };
        return { allowed: ['nak'], subnet: home };
      }
      case 'selecting': {
        // The REQUEST of an unreserved offer wins the address unless it is bound, in grace or declined meanwhile
        // (src/server/handlers/unreserved-win.ts): another client's offer there is withdrawn.
        const held = m.held(a).kind;
        if (!live && m.unreservedOf(c, home.id)?.ip === a) {
          const wins = m.valid(home, a, c) && (held === 'free' || held === 'maybe' || held === 'offer');
          return { allowed: [wins ? 'ack' : 'nak'], subnet: home, wins };
        }
        return { allowed: commit(m.valid(home, a, c)), subnet: home };
      }
      default:
        throw new TypeError(`${this.kind} is judged box by box in renewal-flow.ts`);
    }
  }
}

export class Release extends Base {
  constructor(readonly client: string, readonly address: AddressChoice, readonly wrongServer = false) { super(); }
  toString() { return `new Release('${this.client}', ${label(this.address)}${this.wrongServer ? ', true' : ''})`; }
  protected async act(m: Model, s: ServerUnderTest): Promise<void> {
    const c = Model.client(this.client);
    const a = pick(m, c, this.address);
    const msg = clientMessage(direct(c), MessageType.RELEASE, { ciaddr: a, serverId: this.wrongServer ? OTHER_ID : OUR_ID });
    const { answer } = answerOf(await s.send(msg, { broadcast: false }), `${this} for ${a}`);
    expectAnswer(answer, ['silent'], `${this} for ${a}`, 'no-reply');
    // RFC 2131 §4.3.4: only the client's own binding, and only when the RELEASE names this server.
    if (!m.blocked(c) && !this.wrongServer && m.liveOf(c, a) === 'binding') {
      m.released(c, a);
      seen('release:freed');
    }
  }
}

export class Decline extends Base {
  constructor(readonly client: string, readonly address: AddressChoice) { super(); }
  toString() { return `new Decline('${this.client}', ${label(this.address)})`; }
  protected async act(m: Model, s: ServerUnderTest): Promise<void> {
    const c = Model.client(this.client);
    const a = pick(m, c, this.address);
    const msg = clientMessage(c.spec, MessageType.DECLINE, { requested: a, serverId: OUR_ID });
    const { answer } = answerOf(await s.send(msg, { broadcast: !c.relayed }), `${this} for ${a}`);
    expectAnswer(answer, ['silent'], `${this} for ${a}`, 'no-reply');
    // A relayed client whose subnet was removed: its DECLINE reaches no subnet and is dropped.
    if (m.blocked(c) || m.subnetOf(c) === undefined || m.records.get(a)?.client !== c.name) return;
    // A client over its decline limit is not believed: the decline is dropped (the project's policy, issue 2).
    if (!m.declineCounted(c)) return;
    const b = m.bindings.get(a);
    // RFC 2131 §4.3.3: a bound (not yet expired) address the client found in use is held back for probation.
    if (m.liveOf(c, a) === 'binding' && b !== undefined && m.now < b.expiresAt) {
      m.declinedBy(c, a);
      seen('decline:probation');
    }
  }
}

export class Inform extends Base {
  constructor(readonly client: string, readonly address: AddressChoice) { super(); }
  toString() { return `new Inform('${this.client}', ${label(this.address)})`; }
  protected async act(m: Model, s: ServerUnderTest): Promise<void> {
    const c = Model.client(this.client);
    const a = pick(m, c, this.address);
    const { answer, reply } = answerOf(await s.send(clientMessage(direct(c), MessageType.INFORM, { ciaddr: a }), { broadcast: false }), `${this}`);
    expectAnswer(answer, m.blocked(c) ? ['silent'] : ['ack'], `${this} for ${a}`);
    seen(`inform:${answer}`);
    // RFC 2131 §4.3.5: configuration only — no lease time, no yiaddr.
    if (reply !== undefined && (reply.yiaddr !== '0.0.0.0' || hasLeaseTime(reply))) violated('lease-times', `${this}: INFORM's ACK grants a lease`);
  }
}

/** DISCOVER then REQUEST of what was offered: most runs need bindings to say anything interesting. */
export class Dora extends Base {
  constructor(readonly client: string) { super(); }
  toString() { return `new Dora('${this.client}')`; }
  protected async act(m: Model, s: ServerUnderTest): Promise<void> {
    const before = m.lastAddress.get(this.client);
    await new Discover(this.client).run(m, s);
    if (m.lastAddress.get(this.client) !== before || before !== undefined) await new Request(this.client, 'selecting', 'own').run(m, s);
  }
}

const hasLeaseTime = (m: DhcpMessage) => m.options.some((o) => o.code === 51 || o.code === 58 || o.code === 59);
