// One client exchange (RFC 2131 §3.1, §3.2), run by PassiveTransaction with a fake `decide`, `checkConflict` and
// `sendReply`: DORA, the conflict check of an offer, the quiet-client timeout, and a failing decision; and the same
// machine as a live actor.
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { PassiveTransaction } from '../../../src/actors/passive-transaction.js';
import { ManualClock } from '../../../src/clock.js';
import {
  transactionMachine, type CheckConflictInput, type DecideInput, type MessageEvent,
} from '../../../machines/transaction.machine.js';
import type { ConflictVerdict } from '../../../src/server/conflict-check/verdict.js';
import { ACCEPTED, drop, type Decision } from '../../../src/server/decision.js';
import type { RoutedRequest } from '../../../machines/transaction.types.js';
import { MessageType, routed } from '../router/fixtures.js';

interface Pending { readonly input: DecideInput; resolve(d: Decision): void; reject(e: unknown): void }

/** Lets promise callbacks (the invoked `decide`) run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

interface Check { readonly input: CheckConflictInput; resolve(v: ConflictVerdict): void }

/** `holdChecks`: conflict checks wait for the test to answer them; otherwise every decision passes at once. */
function start(options: { respondThrows?: boolean; holdChecks?: boolean } = {}) {
  const pending: Pending[] = [];
  const checks: Check[] = [];
  const responded: { decision: Decision; packet: RoutedRequest }[] = [];
  const clock = new ManualClock();
  const actor = new PassiveTransaction('c1', {
    decide: (input) => new Promise((resolve, reject) => pending.push({ input, resolve, reject })),
    checkConflict: (input) => options.holdChecks
      ? new Promise((resolve) => checks.push({ input, resolve }))
      : Promise.resolve({ kind: 'checked', decision: input.decision }),
    sendReply: (decision, packet) => {
      if (options.respondThrows) throw new Error('egress exploded');
      responded.push({ decision, packet });
    },
    clock: { now: () => clock.now(), setTimer: (ms, fn) => clock.setTimer(ms, fn) },
  });
  const errors: unknown[] = [];
  actor.subscribe({ next: () => {}, error: (e) => errors.push(e), complete: () => {} });
  actor.start();
  const send = (type: MessageEvent['type'], msg: MessageType, xid: number) => {
    const packet = routed('c1', msg, xid);
    actor.send({ type, packet } as MessageEvent);
    return packet;
  };
  const increment = (ms: number) => clock.advance(ms);
  return { actor, clock: { increment }, pending, checks, responded, errors, send, value: () => actor.getSnapshot().value };
}

const OFFER_DECISION = ACCEPTED;
const ACK_DECISION = drop('not-for-us');

describe('transaction machine', () => {
  it('DISCOVER → offering → awaitingRequest → REQUEST → deciding → done, sending a reply each time', async () => {
    const t = start();
    expect(t.value()).toBe('idle');
    const discover = t.send('dhcp.discover', MessageType.DISCOVER, 1);
    expect(t.value()).toBe('offering');
    expect(t.pending).toHaveLength(1);
    expect(t.pending[0]!.input.packet).toBe(discover);
    t.pending[0]!.resolve(OFFER_DECISION);
    await settle();
    expect(t.value()).toBe('awaitingRequest');
    expect(t.responded).toEqual([{ decision: OFFER_DECISION, packet: discover }]);
    // Waiting for the client holds neither the DISCOVER nor the OFFER (the lease holds the offer).
    expect(t.actor.getSnapshot().context).toMatchObject({ current: undefined, pending: undefined, lastDecision: undefined, exchanges: 1 });

    const request = t.send('dhcp.request', MessageType.REQUEST, 1);
    expect(t.value()).toBe('deciding');
    t.pending[1]!.resolve(ACK_DECISION);
    await settle();
    expect(t.value()).toBe('done');
    expect(t.actor.getSnapshot().status).toBe('done');
    expect(t.responded.map((r) => r.packet)).toEqual([discover, request]);
    expect(t.actor.getSnapshot().context).toMatchObject({ exchanges: 2, lastDecision: ACK_DECISION, current: request });
  });

  it('an offer is sent only once its conflict check passed (offering → probing → awaitingRequest)', async () => {
    const t = start({ holdChecks: true });
    const discover = t.send('dhcp.discover', MessageType.DISCOVER, 1);
    t.pending[0]!.resolve(OFFER_DECISION);
    await settle();
    expect(t.value()).toBe('probing');
    expect(t.checks[0]!.input).toEqual({ decision: OFFER_DECISION, packet: discover, conflicts: 0 });
    expect(t.responded).toEqual([]);
    t.checks[0]!.resolve({ kind: 'checked', decision: OFFER_DECISION });
    await settle();
    expect(t.value()).toBe('awaitingRequest');
    expect(t.responded).toEqual([{ decision: OFFER_DECISION, packet: discover }]);
  });

  it('an address in use sends the exchange back to choose again, counting the conflicts; one offer goes out', async () => {
    const t = start({ holdChecks: true });
    t.send('dhcp.discover', MessageType.DISCOVER, 1);
    const second = drop('not-for-us');
    t.pending[0]!.resolve(OFFER_DECISION);
    await settle();
    t.checks[0]!.resolve({ kind: 'conflict' });
    await settle();
    expect(t.value()).toBe('offering');
    expect(t.pending).toHaveLength(2);
    t.pending[1]!.resolve(second);
    await settle();
    expect(t.checks[1]!.input).toMatchObject({ decision: second, conflicts: 1 });
    t.checks[1]!.resolve({ kind: 'checked', decision: second });
    await settle();
    expect(t.value()).toBe('awaitingRequest');
    expect(t.responded.map((r) => r.decision)).toEqual([second]);
    expect(t.actor.getSnapshot().context).toMatchObject({ exchanges: 1, conflicts: 1 });
    // The next message of the exchange starts counting afresh.
    t.send('dhcp.discover', MessageType.DISCOVER, 2);
    expect(t.actor.getSnapshot().context).toMatchObject({ conflicts: 0 });
  });

  it('a retransmission of the DISCOVER while its address is probed is not taken', async () => {
    const t = start({ holdChecks: true });
    t.send('dhcp.discover', MessageType.DISCOVER, 1);
    t.pending[0]!.resolve(OFFER_DECISION);
    await settle();
    t.send('dhcp.discover', MessageType.DISCOVER, 1);
    expect(t.value()).toBe('probing');
    expect(t.pending).toHaveLength(1);
  });

  for (const [type, msg] of [
    ['dhcp.release', MessageType.RELEASE], ['dhcp.decline', MessageType.DECLINE], ['dhcp.inform', MessageType.INFORM],
  ] as const) {
    it(`${type} from idle is answered in one step`, async () => {
      const t = start();
      t.send(type, msg, 9);
      expect(t.value()).toBe('deciding');
      t.pending[0]!.resolve(ACK_DECISION);
      await settle();
      expect(t.value()).toBe('done');
    });
  }

  it('a retransmitted DISCOVER while awaiting the REQUEST is decided again (the offer is re-sent)', async () => {
    const t = start();
    t.send('dhcp.discover', MessageType.DISCOVER, 1);
    t.pending[0]!.resolve(OFFER_DECISION);
    await settle();
    t.send('dhcp.discover', MessageType.DISCOVER, 1);
    expect(t.value()).toBe('offering');
    t.pending[1]!.resolve(OFFER_DECISION);
    await settle();
    expect(t.value()).toBe('awaitingRequest');
    expect(t.responded).toHaveLength(2);
  });

  it('messages arriving while deciding are not taken (the router holds them back)', () => {
    const t = start();
    t.send('dhcp.discover', MessageType.DISCOVER, 1);
    t.send('dhcp.request', MessageType.REQUEST, 1);
    expect(t.value()).toBe('offering');
    expect(t.pending).toHaveLength(1);
  });

  it('times out when the client stays quiet for clientQuiet (5 s) after the offer', async () => {
    const t = start();
    t.send('dhcp.discover', MessageType.DISCOVER, 1);
    t.pending[0]!.resolve(OFFER_DECISION);
    await settle();
    t.clock.increment(4_999);
    expect(t.value()).toBe('awaitingRequest');
    t.clock.increment(1);
    expect(t.value()).toBe('timedOut');
    expect(t.actor.getSnapshot().status).toBe('done');
  });

  it('a REQUEST inside the quiet period cancels the timeout even while it is being decided', async () => {
    const t = start();
    t.send('dhcp.discover', MessageType.DISCOVER, 1);
    t.pending[0]!.resolve(OFFER_DECISION);
    await settle();
    t.clock.increment(4_000);
    t.send('dhcp.request', MessageType.REQUEST, 1);
    t.clock.increment(10_000);
    expect(t.value()).toBe('deciding');
  });

  it('a rejecting decide ends in failed with the error, and nothing is sent', async () => {
    const t = start();
    t.send('dhcp.request', MessageType.REQUEST, 1);
    const err = new Error('store down');
    t.pending[0]!.reject(err);
    await settle();
    expect(t.value()).toBe('failed');
    expect(t.actor.getSnapshot().status).toBe('done');
    expect(t.actor.getSnapshot().context.error).toBe(err);
    expect(t.responded).toEqual([]);
    expect(t.errors).toEqual([]);
  });

  it('runs as a live XState actor too, with decide and checkConflict provided as actions that report back', async () => {
    const machine = transactionMachine.provide({
      actions: {
        decide: ({ self }) => {
          queueMicrotask(() => self.send({ type: 'txn.decided', decision: ACK_DECISION }));
        },
        checkConflict: ({ self }, params) => {
          queueMicrotask(() => self.send({ type: 'txn.checked', decision: params.decision }));
        },
      },
    });
    const actor = createActor(machine, { input: { clientKey: 'c1' } });
    actor.start();
    actor.send({ type: 'dhcp.request', packet: routed('c1', MessageType.REQUEST, 1) });
    expect(actor.getSnapshot().value).toBe('deciding');
    await settle();
    expect(actor.getSnapshot().value).toBe('done');
    expect(actor.getSnapshot().context.lastDecision).toBe(ACK_DECISION);
    const offering = createActor(machine, { input: { clientKey: 'c1' } });
    offering.start();
    offering.send({ type: 'dhcp.discover', packet: routed('c1', MessageType.DISCOVER, 2) });
    await settle();
    expect(offering.getSnapshot().value).toBe('awaitingRequest');
  });

  it('a throwing sendReply errors the actor (what the router observes as a failed transaction)', async () => {
    const t = start({ respondThrows: true });
    t.send('dhcp.discover', MessageType.DISCOVER, 1);
    t.pending[0]!.resolve(OFFER_DECISION);
    await settle();
    expect(t.actor.getSnapshot().status).toBe('error');
    expect(t.errors).toHaveLength(1);
  });
});
