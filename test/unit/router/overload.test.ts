// Overload: every queue on the request path is bounded, the oldest waiting request (or a duplicate) goes first,
// every shed request is counted, memory does not grow with the offered load, and service recovers after it.
import { describe, expect, it } from 'vitest';
import { MessageType } from '../../../src/codec/types.js';
import { Router } from '../../../src/router/router.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { clientMessage } from '../../helpers/test-client.js';
import { LAB_CONFIG, replyType } from '../../helpers/test-server.js';
import { harness, routed } from '../router/fixtures.js';
import { FaultyStore } from '../../helpers/faults.js';
import { settle, startTestDaemon } from '../../helpers/test-daemon.js';

const { DISCOVER, REQUEST } = MessageType;

function setup(limits: { maxQueuePerClient?: number; maxClients?: number; maxQueued?: number }) {
  const h = harness();
  const router = new Router({
    createTransaction: h.createTransaction, now: h.now, onDrop: h.onDrop,
    maxQueuePerClient: limits.maxQueuePerClient ?? 4, maxClients: limits.maxClients ?? 100,
    ...(limits.maxQueued === undefined ? {} : { maxQueued: limits.maxQueued }),
  });
  return { ...h, router };
}

describe('router under overload', () => {
  it('sheds the oldest waiting request anywhere once the global queue is full', () => {
    const { router, drops, actorOf } = setup({ maxQueued: 3 });
    for (const c of ['a', 'b', 'c']) router.route(routed(c, DISCOVER, 1)); // each busy deciding
    router.route(routed('a', REQUEST, 10));
    router.route(routed('b', REQUEST, 20));
    router.route(routed('c', REQUEST, 30));
    expect(router.queuedRequests).toBe(3);
    router.route(routed('b', REQUEST, 21));
    expect(drops).toEqual([{ reason: 'overload', client: 'a', xid: 10 }]);
    expect(router.queuedRequests).toBe(3);
    actorOf('a').become('awaitingRequest');
    expect(actorOf('a').log).toEqual(['discover:1']); // its queued request was the one shed
    actorOf('b').become('awaitingRequest');
    expect(actorOf('b').log).toEqual(['discover:1', 'request:20']);
    expect(router.queuedRequests).toBe(2);
  });

  it('keeps the ledger exact when a lane ends with requests still waiting', () => {
    const { router, actorOf } = setup({ maxQueued: 10 });
    router.route(routed('a', DISCOVER, 1));
    router.route(routed('a', REQUEST, 2));
    router.route(routed('a', REQUEST, 3));
    actorOf('a').become('failed', new Error('crash')); // the rest moves to a fresh lane
    expect(router.queuedRequests).toBe(1);
    actorOf('a').become('done');
    expect(actorOf('a').log).toEqual(['request:3']);
    actorOf('a').become('done');
    expect([router.queuedRequests, router.activeClients]).toEqual([0, 0]);
  });

  it('drops a retransmission of the request being decided (a slow commit answers both)', () => {
    const { router, drops, actorOf } = setup({});
    router.route(routed('a', REQUEST, 7));
    router.route(routed('a', REQUEST, 7));
    router.route(routed('a', REQUEST, 7));
    expect(drops.map((d) => d.reason)).toEqual(['duplicate', 'duplicate']);
    expect(router.queuedRequests).toBe(0);
    actorOf('a').become('done');
    expect(router.activeClients).toBe(0);
  });

  it('holds at most maxClients lanes under a flood of new clients, then recovers to none', () => {
    const { router, drops, actors } = setup({ maxClients: 1_000, maxQueued: 2_000 });
    for (let i = 0; i < 50_000; i++) router.route(routed(`c${i % 5_000}`, DISCOVER, i));
    expect(router.activeClients).toBe(1_000);
    expect(router.queuedRequests).toBeLessThanOrEqual(2_000);
    expect(actors).toHaveLength(1_000);
    const shed = drops.filter((d) => d.reason === 'too-many-clients').length;
    expect(shed + drops.filter((d) => d.reason !== 'too-many-clients').length + 1_000 + router.queuedRequests).toBe(50_000);
    for (let round = 0; round < 10 && router.activeClients > 0; round++) {
      for (const actor of actors.filter((a) => a.status === 'active')) actor.become('done');
    }
    expect([router.activeClients, router.queuedRequests]).toEqual([0, 0]);
    router.route(routed('late', DISCOVER, 1));
    expect(router.activeClients).toBe(1);
  });
});

describe('a slow store', () => {
  it('bounds the writes awaiting commit: beyond maxPendingCommits a request is shed before its write, counted', async () => {
    const store = new FaultyStore(await openMemoryStore());
    const server = startTestDaemon({ captureLogs: true, store, wire: { ...LAB_CONFIG, limits: { maxPendingCommits: 2 } } });
    await server.app.ready;
    const clients = [1, 2, 3].map((n) => ({ mac: `02:00:5e:10:00:8${n}` }));
    const offers: string[] = [];
    for (const c of clients) offers.push((await server.exchange(clientMessage(c, DISCOVER)))!.message.yiaddr);
    store.hold = true;
    const requests = clients.map((c, i) => clientMessage(c, REQUEST, { requested: offers[i], serverId: '198.51.100.1' }));
    const acks = requests.map((r) => server.exchange(r, { waitMs: 1_000 }));
    await settle(20);
    expect(store.heldWrites).toBe(2);
    expect(server.app.statistics().counters.drops!['commit-backlog']).toBe(1);
    expect(server.app.lease(offers[2]!)!.state).toBe('offered'); // reverted, still held for its client
    store.release();
    const answered = await Promise.all(acks);
    expect(answered.map((a) => (a === undefined ? 'none' : replyType(a.message)))).toEqual([MessageType.ACK, MessageType.ACK, 'none']);
    const retransmitted = await server.exchange(requests[2]!);
    expect(retransmitted && replyType(retransmitted.message)).toBe(MessageType.ACK);
    await server.app.stop();
  });
});

describe('shedding is reported', () => {
  it('logs router.shedding at most once per 10 s interval per reason, with the count, and serves again once the lane ends', async () => {
    const store = new FaultyStore(await openMemoryStore());
    const server = startTestDaemon({ captureLogs: true, store, wire: { ...LAB_CONFIG, limits: { maxClients: 1 } } });
    await server.app.ready;
    const first = { mac: '02:00:5e:10:00:b1' };
    const offer = await server.exchange(clientMessage(first, DISCOVER));
    // Its REQUEST is being decided (the write held): the one exchange allowed is busy, so new clients are shed.
    store.hold = true;
    const ack = server.exchange(clientMessage(first, REQUEST, { requested: offer!.message.yiaddr, serverId: '198.51.100.1' }), { waitMs: 1_000 });
    await settle(20);
    for (let i = 2; i < 5; i++) expect(await server.exchange(clientMessage({ mac: `02:00:5e:10:00:b${i}` }, DISCOVER), { waitMs: 20 })).toBeUndefined();
    expect(server.logs.filter((l) => l.evt === 'router.shedding')).toMatchObject([{ reason: 'too-many-clients', count: 1 }]);
    expect(server.app.statistics().counters.drops!['too-many-clients']).toBe(3);
    store.release();
    const acked = await ack;
    expect(acked && replyType(acked.message)).toBe(MessageType.ACK);
    server.clock.advance(10_000); // the interval's end logs the two shed meanwhile
    expect(server.logs.filter((l) => l.evt === 'router.shedding')).toMatchObject([{ count: 1 }, { count: 2 }]);
    const later = await server.exchange(clientMessage({ mac: '02:00:5e:10:00:b5' }, DISCOVER));
    expect(later && replyType(later.message)).toBe(MessageType.OFFER);
    await server.app.stop();
  });

  it('at maxClients a client waiting for its REQUEST makes room for a new one (counted, logged once), and is still ACKed', async () => {
    const server = startTestDaemon({ captureLogs: true, store: await openMemoryStore(), wire: { ...LAB_CONFIG, limits: { maxClients: 1 } } });
    await server.app.ready;
    const [a, b] = [{ mac: '02:00:5e:10:00:c1' }, { mac: '02:00:5e:10:00:c2' }];
    const offerA = await server.exchange(clientMessage(a, DISCOVER));
    const offerB = await server.exchange(clientMessage(b, DISCOVER)); // shed before: a's waiting exchange held the one place
    expect(offerB && replyType(offerB.message)).toBe(MessageType.OFFER);
    const ackA = await server.exchange(clientMessage(a, REQUEST, { requested: offerA!.message.yiaddr, serverId: '198.51.100.1' }));
    expect(ackA && replyType(ackA.message)).toBe(MessageType.ACK);
    const { drops, events } = server.app.statistics().counters;
    expect([drops?.['too-many-clients'] ?? 0, events?.['router.waiting.evicted']]).toEqual([0, 2]);
    expect(server.logs.filter((l) => l.evt === 'router.waiting.evicted')).toMatchObject([{ reason: 'max-clients', count: 1 }]);
    await server.app.stop();
  });
});

