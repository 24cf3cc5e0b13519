// The router driving the real transaction machine through PassiveTransaction (fake decide and sendReply): ordering through a whole DORA,
// lanes that end on answer, timeout, failure or crash, and no leftover lanes.
import { describe, expect, it } from 'vitest';
import type { DecideInput } from '../../../machines/transaction.machine.js';
import { PassiveTransaction } from '../../../src/actors/passive-transaction.js';
import { ManualClock } from '../../../src/clock.js';
import { Router } from '../../../src/router/router.js';
import { ACCEPTED, type Decision } from '../../../src/server/decision.js';
import { MessageType, harness, routed } from './fixtures.js';

const settle = () => new Promise<void>((r) => setImmediate(r));

function setup(options: { respondThrowsFor?: string } = {}) {
  const h = harness();
  const manual = new ManualClock();
  const clock = { increment: (ms: number) => manual.advance(ms) };
  const pending: { input: DecideInput; resolve(d: Decision): void; reject(e: unknown): void }[] = [];
  const responded: string[] = [];
  const effects = {
    decide: (input: DecideInput) => new Promise<Decision>((resolve, reject) => pending.push({ input, resolve, reject })),
    checkConflict: async ({ decision }: { decision: Decision }) => ({ kind: 'checked' as const, decision }),
    sendReply: (_: Decision, packet: DecideInput['packet']) => {
      if (packet.clientKey === options.respondThrowsFor) throw new Error('egress exploded');
      responded.push(`${packet.clientKey}:${MessageType[packet.request.type]}:${packet.request.xid}`);
    },
    clock: manual,
  };
  let created = 0;
  const router = new Router({
    createTransaction: (clientKey, waiting) => {
      created++;
      return new PassiveTransaction(clientKey, effects, waiting);
    },
    now: () => manual.now(),
    onDrop: h.onDrop,
    maxQueuePerClient: 4,
    maxClients: 1_000,
  });
  /** Resolves the oldest pending decision. */
  const decideNext = async (decision: Decision = ACCEPTED) => {
    const next = pending.shift();
    if (next === undefined) throw new Error('nothing is being decided');
    next.resolve(decision);
    await settle();
    return next.input.packet;
  };
  return { router, clock, pending, responded, drops: h.drops, decideNext, created: () => created };
}

describe('router with the real transaction machine', () => {
  it('DISCOVER then REQUEST from one client are decided in order by one transaction, which then goes away', async () => {
    const t = setup();
    t.router.route(routed('c1', MessageType.DISCOVER, 1));
    t.router.route(routed('c1', MessageType.REQUEST, 1));
    expect(t.pending.map((p) => p.input.packet.request.type)).toEqual([MessageType.DISCOVER]);
    await t.decideNext();
    expect(t.pending.map((p) => p.input.packet.request.type)).toEqual([MessageType.REQUEST]);
    await t.decideNext();
    expect(t.responded).toEqual(['c1:DISCOVER:1', 'c1:REQUEST:1']);
    expect(t.router.activeClients).toBe(0);
    expect(t.created()).toBe(1);
  });

  it('many clients at once: all decided concurrently, no lane left behind', async () => {
    const t = setup();
    for (let i = 0; i < 200; i++) t.router.route(routed(`c${i}`, MessageType.REQUEST, i));
    expect(t.pending).toHaveLength(200);
    expect(t.router.activeClients).toBe(200);
    while (t.pending.length > 0) await t.decideNext();
    expect(t.responded).toHaveLength(200);
    expect(t.router.activeClients).toBe(0);
  });

  it('a client that goes quiet after its offer times out and its lane is removed', async () => {
    const t = setup();
    t.router.route(routed('c1', MessageType.DISCOVER, 1));
    await t.decideNext();
    expect(t.router.activeClients).toBe(1);
    t.clock.increment(5_000);
    expect(t.router.activeClients).toBe(0);
    expect(t.drops).toEqual([]);
  });

  it('a client answered with an OFFER is resumed in awaitingRequest for its REQUEST, which is decided as in one transaction', async () => {
    const t = setup();
    t.router.route(routed('c1', MessageType.DISCOVER, 1));
    await t.decideNext();
    t.router.route(routed('c1', MessageType.REQUEST, 1));
    expect(t.pending.map((p) => p.input.packet.request.type)).toEqual([MessageType.REQUEST]);
    expect(t.created()).toBe(2); // the waiting exchange was kept without its actor
    expect(t.router.transactionStates()).toEqual({ deciding: 1 });
    await t.decideNext();
    expect(t.responded).toEqual(['c1:DISCOVER:1', 'c1:REQUEST:1']);
    expect(t.router.activeClients).toBe(0);
  });

  it('a rejecting decide is reported as transaction-failed and the lane is removed', async () => {
    const t = setup();
    t.router.route(routed('c1', MessageType.REQUEST, 1));
    const err = new Error('store down');
    t.pending.shift()!.reject(err);
    await settle();
    expect(t.drops).toEqual([{ reason: 'transaction-failed', client: 'c1', xid: 1, error: err }]);
    expect(t.router.activeClients).toBe(0);
  });

  it('an actor that crashes (sendReply throws) affects only its own client', async () => {
    const t = setup({ respondThrowsFor: 'bad' });
    t.router.route(routed('bad', MessageType.REQUEST, 1));
    t.router.route(routed('good', MessageType.REQUEST, 2));
    await t.decideNext();
    await t.decideNext();
    expect(t.drops.map((d) => [d.reason, d.client])).toEqual([['transaction-failed', 'bad']]);
    expect(t.responded).toEqual(['good:REQUEST:2']);
    expect(t.router.activeClients).toBe(0);
    t.router.route(routed('bad', MessageType.REQUEST, 3));
    expect(t.pending).toHaveLength(1);
  });
});
