// The router with hand-steered transaction actors: per-client ordering, concurrency, bounded queues, shedding,
// failure isolation, and no growth once exchanges end.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CLIENT_QUIET_MS } from '../../../machines/transaction.machine.js';
import { Router } from '../../../src/router/router.js';
import { MessageType, harness, routed } from './fixtures.js';

function setup(limits: { maxQueuePerClient?: number; maxClients?: number } = {}, onWaitingEvicted?: () => void) {
  const h = harness();
  const router = new Router({
    createTransaction: h.createTransaction, now: h.now,
    onDrop: h.onDrop,
    maxQueuePerClient: limits.maxQueuePerClient ?? 4,
    maxClients: limits.maxClients ?? 100,
    ...(onWaitingEvicted === undefined ? {} : { onWaitingEvicted }),
  });
  return { ...h, router };
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const { DISCOVER, REQUEST, RELEASE, DECLINE, INFORM, OFFER } = MessageType;

describe('per-client ordering', () => {
  it('a second message waits until the first is handled, then goes to the same actor', () => {
    const { router, actorOf, actors } = setup();
    router.route(routed('c1', DISCOVER, 1));
    router.route(routed('c1', REQUEST, 1));
    const actor = actorOf('c1');
    expect(actor.started).toBe(true);
    expect(actor.log).toEqual(['discover:1']);
    actor.become('awaitingRequest');
    expect(actor.log).toEqual(['discover:1', 'request:1']);
    expect(actors).toHaveLength(1);
  });

  it('a new client\'s request its transaction cannot take at once waits in the ledger, then goes first, in order', () => {
    const h = harness();
    // A transaction that starts busy (not ready for a message until it says so).
    const createTransaction = (clientKey: string, waiting: boolean) => {
      const actor = h.createTransaction(clientKey, waiting);
      actor.value = 'deciding';
      return actor;
    };
    const router = new Router({ createTransaction, now: h.now, onDrop: h.onDrop, maxQueuePerClient: 4, maxClients: 100 });
    router.route(routed('c1', DISCOVER, 1));
    expect(router.queuedRequests).toBe(1);
    router.route(routed('c1', REQUEST, 2));
    expect(router.queuedRequests).toBe(2);
    const actor = h.actorOf('c1');
    expect(actor.log).toEqual([]);
    actor.become('idle');
    expect(actor.log).toEqual(['discover:1']);
    actor.become('awaitingRequest');
    expect(actor.log).toEqual(['discover:1', 'request:2']);
    expect(router.queuedRequests).toBe(0);
  });

  it('hands each message type to the matching event', () => {
    const { router, actorOf } = setup();
    const types = [REQUEST, RELEASE, DECLINE, INFORM];
    types.forEach((type, i) => {
      router.route(routed(`c${i}`, type, i));
    });
    expect(types.map((_, i) => actorOf(`c${i}`).log[0])).toEqual(['request:0', 'release:1', 'decline:2', 'inform:3']);
  });

  it('messages queued behind a finished exchange start a new transaction, in arrival order', () => {
    const { router, actors, actorOf } = setup();
    router.route(routed('c1', REQUEST, 1));
    router.route(routed('c1', RELEASE, 2));
    router.route(routed('c1', DISCOVER, 3));
    const first = actorOf('c1');
    first.become('done');
    const second = actorOf('c1');
    expect(second).not.toBe(first);
    expect(second.log).toEqual(['release:2']);
    second.become('done');
    expect(actorOf('c1').log).toEqual(['discover:3']);
    expect(actors).toHaveLength(3);
    expect(first.log).toEqual(['request:1']);
  });
});

describe('concurrency across clients', () => {
  it('different clients proceed without waiting for each other', () => {
    const { router, actorOf } = setup();
    router.route(routed('c1', DISCOVER, 1));
    router.route(routed('c2', DISCOVER, 2));
    expect(actorOf('c1').log).toEqual(['discover:1']);
    expect(actorOf('c2').log).toEqual(['discover:2']);
    expect(router.activeClients).toBe(2);
  });
});

describe('bounded queues', () => {
  it('a retransmission already waiting in the queue replaces the older copy', () => {
    const { router, actorOf, drops } = setup();
    router.route(routed('c1', DISCOVER, 1));
    router.route(routed('c1', REQUEST, 7));
    router.route(routed('c1', REQUEST, 7));
    expect(drops).toEqual([{ reason: 'duplicate', client: 'c1', xid: 7 }]);
    actorOf('c1').become('awaitingRequest');
    actorOf('c1').become('done');
    // Only one copy was left to handle: the lane ends with nothing more to do.
    expect(actorOf('c1').log).toEqual(['discover:1', 'request:7']);
    expect(drops).toHaveLength(1);
  });

  it('a full queue drops its oldest message', () => {
    const { router, actorOf, drops } = setup({ maxQueuePerClient: 2 });
    router.route(routed('c1', DISCOVER, 1));
    router.route(routed('c1', REQUEST, 2));
    router.route(routed('c1', REQUEST, 3));
    router.route(routed('c1', REQUEST, 4));
    expect(drops).toEqual([{ reason: 'queue-full', client: 'c1', xid: 2 }]);
    actorOf('c1').become('awaitingRequest');
    expect(actorOf('c1').log).toEqual(['discover:1', 'request:3']);
  });

  it('new clients beyond maxClients are shed; known clients still get through', () => {
    const { router, actorOf, drops } = setup({ maxClients: 2 });
    router.route(routed('c1', DISCOVER, 1));
    router.route(routed('c2', DISCOVER, 2));
    router.route(routed('c3', DISCOVER, 3));
    expect(drops).toEqual([{ reason: 'too-many-clients', client: 'c3', xid: 3 }]);
    router.route(routed('c1', REQUEST, 4));
    actorOf('c1').become('awaitingRequest');
    expect(actorOf('c1').log).toEqual(['discover:1', 'request:4']);
    actorOf('c1').become('done');
    router.route(routed('c3', DISCOVER, 5));
    expect(actorOf('c3').log).toEqual(['discover:5']);
  });
});

describe('failure isolation', () => {
  it('an actor that errors costs only its own client the exchange; the lane goes away', () => {
    const { router, actorOf, drops } = setup();
    router.route(routed('c1', DISCOVER, 1));
    router.route(routed('c2', DISCOVER, 2));
    const boom = new Error('boom');
    actorOf('c1').crash(boom);
    expect(drops).toEqual([{ reason: 'transaction-failed', client: 'c1', xid: 1, error: boom }]);
    expect(router.activeClients).toBe(1);
    actorOf('c2').become('awaitingRequest');
    router.route(routed('c2', REQUEST, 3));
    // c2's waiting exchange is resumed for its REQUEST (in a transaction of its own: see "waiting exchanges").
    expect(actorOf('c2').log).toEqual(['request:3']);
    expect(actorOf('c2').waiting).toBe(true);
  });

  it('a transaction that ends in `failed` is reported with its error, and a retransmission starts afresh', () => {
    const { router, actorOf, drops, actors } = setup();
    router.route(routed('c1', REQUEST, 1));
    const err = new Error('decide failed');
    actorOf('c1').become('failed', err);
    expect(drops).toEqual([{ reason: 'transaction-failed', client: 'c1', xid: 1, error: err }]);
    expect(router.activeClients).toBe(0);
    router.route(routed('c1', REQUEST, 1));
    expect(actors).toHaveLength(2);
    expect(actorOf('c1').log).toEqual(['request:1']);
  });

  it('messages queued behind a crashed exchange are still handled, by a fresh actor', () => {
    const { router, actorOf } = setup();
    router.route(routed('c1', DISCOVER, 1));
    router.route(routed('c1', DISCOVER, 2));
    const crashed = actorOf('c1');
    crashed.crash(new Error('x'));
    expect(actorOf('c1')).not.toBe(crashed);
    expect(actorOf('c1').log).toEqual(['discover:2']);
  });
});

describe('no growth', () => {
  it('lanes are removed when exchanges end: done, timed out or failed', () => {
    const { router, actors } = setup({ maxClients: 1_000 });
    for (let i = 0; i < 300; i++) router.route(routed(`c${i}`, i % 2 === 0 ? DISCOVER : REQUEST, i));
    expect(router.activeClients).toBe(300);
    actors.forEach((a, i) => a.become(['done', 'timedOut', 'failed'][i % 3]!));
    expect(router.activeClients).toBe(0);
  });

  it('a message that is not a client request (an OFFER sent to the server) opens no lane', () => {
    // A lane whose only message maps to no event would keep an idle actor forever: spoofed MACs would fill
    // maxClients and shed every real client.
    const { router, actors, drops } = setup({ maxClients: 1 });
    router.route(routed('rogue', OFFER, 1));
    expect(router.activeClients).toBe(0);
    expect(actors).toHaveLength(0);
    expect(drops).toEqual([{ reason: 'not-a-request', client: 'rogue', xid: 1 }]);
    router.route(routed('c1', DISCOVER, 2));
    expect(drops).toHaveLength(1);
  });

  it('a lane waiting for its client (after an OFFER) does not hold the message it answered', async () => {
    // A DISCOVER flood from random MACs keeps one such lane per MAC for clientQuiet: holding each DISCOVER (its
    // datagram and decoded message) made that ~5 KB more per MAC, promoted by V8 and growing the old space.
    const { router, actorOf } = setup();
    const collected: string[] = [];
    const registry = new FinalizationRegistry<string>((name) => collected.push(name));
    (() => {
      const discover = routed('c1', DISCOVER, 1);
      registry.register(discover, 'discover');
      router.route(discover);
    })();
    const actor = actorOf('c1');
    actor.become('awaitingRequest');
    actor.received.length = 0; // the fake actor's own record of it
    for (let i = 0; i < 5 && collected.length === 0; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(collected).toEqual(['discover']);
    expect(router.activeClients).toBe(1);
  });

  it('stop ends every transaction', () => {
    const { router, actors } = setup();
    router.route(routed('c1', DISCOVER, 1));
    router.route(routed('c2', DISCOVER, 2));
    router.stop();
    expect(actors.every((a) => a.stopped)).toBe(true);
    expect(router.activeClients).toBe(0);
  });
});

describe('quiesce (graceful shutdown)', () => {
  it('refuses new requests and waits until no transaction is deciding', async () => {
    const { router, actorOf, drops } = setup();
    router.route(routed('c1', REQUEST, 1)); // deciding: busy
    router.route(routed('c2', DISCOVER, 2));
    actorOf('c2').become('awaitingRequest'); // waiting for the client: not busy
    let waits = 0;
    await router.quiesce(1_000, async () => {
      waits++;
      if (waits === 3) actorOf('c1').become('done');
    });
    expect(waits).toBe(3);
    router.route(routed('c3', DISCOVER, 3));
    expect(drops).toEqual([{ reason: 'shutting-down', client: 'c3', xid: 3 }]);
  });

  it('gives up after its timeout when a transaction never finishes', async () => {
    const { router } = setup();
    router.route(routed('c1', REQUEST, 1));
    let waited = 0;
    await router.quiesce(50, async (ms) => {
      waited += ms;
    });
    expect(waited).toBe(50);
  });
});

describe('transaction states (the /ui counts)', () => {
  it('counts the live exchanges by state, not the finished ones, and holds nothing of its own', () => {
    const { router, actorOf, time } = setup();
    for (const c of ['c1', 'c2', 'c3', 'c4']) router.route(routed(c, DISCOVER, 1));
    actorOf('c1').become('awaitingRequest');
    actorOf('c2').become('awaitingRequest');
    actorOf('c4').become('done');
    expect(router.transactionStates()).toEqual({ awaitingRequest: 2, offering: 1 });
    actorOf('c3').become('done');
    expect(router.transactionStates()).toEqual({ awaitingRequest: 2 });
    time.ms += CLIENT_QUIET_MS; // the waiting ones end as the machine's clientQuiet would end them
    expect(router.transactionStates()).toEqual({});
    expect(router.activeClients).toBe(0);
  });
});

describe('waiting exchanges (after an OFFER): a number per client, not a live actor', () => {
  it('lets the lane and its actor go, and resumes the client\'s next message in awaitingRequest', () => {
    const { router, actorOf, actors } = setup();
    router.route(routed('c1', DISCOVER, 1));
    const first = actorOf('c1');
    first.become('awaitingRequest');
    expect(first.stopped).toBe(true);
    expect(router.activeClients).toBe(1);
    expect(router.transactionStates()).toEqual({ awaitingRequest: 1 });
    router.route(routed('c1', REQUEST, 2));
    const resumed = actorOf('c1');
    expect(resumed).not.toBe(first);
    expect([resumed.waiting, resumed.log]).toEqual([true, ['request:2']]);
    expect(actors).toHaveLength(2);
  });

  it('keeps a lane whose client already sent its next message (it is handed over at once)', () => {
    const { router, actorOf, actors } = setup();
    router.route(routed('c1', DISCOVER, 1));
    router.route(routed('c1', REQUEST, 2));
    actorOf('c1').become('awaitingRequest');
    expect([actors.length, actorOf('c1').stopped, actorOf('c1').log]).toEqual([1, false, ['discover:1', 'request:2']]);
  });

  it('forgets a waiting exchange after clientQuiet: the next message starts a fresh transaction', () => {
    const { router, actorOf, time } = setup();
    router.route(routed('c1', DISCOVER, 1));
    actorOf('c1').become('awaitingRequest');
    time.ms += CLIENT_QUIET_MS - 1;
    expect(router.activeClients).toBe(1);
    time.ms += 1;
    expect(router.activeClients).toBe(0);
    router.route(routed('c1', REQUEST, 2));
    expect([actorOf('c1').waiting, actorOf('c1').log]).toEqual([false, ['request:2']]);
  });

  it('at maxClients the exchange waiting longest makes room for a new client (counted); only deciding ones shed', () => {
    const evicted: number[] = [];
    const { router, actorOf, drops } = setup({ maxClients: 2 }, () => evicted.push(1));
    router.route(routed('c1', DISCOVER, 1));
    router.route(routed('c2', DISCOVER, 2));
    actorOf('c1').become('awaitingRequest');
    actorOf('c2').become('awaitingRequest');
    router.route(routed('c3', DISCOVER, 3)); // c1 waited longest
    expect([evicted.length, actorOf('c3').log]).toEqual([1, ['discover:3']]);
    router.route(routed('c4', DISCOVER, 4)); // then c2
    expect([evicted.length, actorOf('c4').log]).toEqual([2, ['discover:4']]);
    router.route(routed('c5', DISCOVER, 5)); // c3 and c4 are deciding: no room
    router.route(routed('c1', REQUEST, 6)); // c1's exchange was forgotten: a new client now
    expect(drops.map((d) => [d.reason, d.client])).toEqual([['too-many-clients', 'c5'], ['too-many-clients', 'c1']]);
    expect(router.activeClients).toBe(2);
  });

  it('a waiting client coming back takes no new room at maxClients', () => {
    const { router, actorOf, drops } = setup({ maxClients: 2 });
    router.route(routed('c1', DISCOVER, 1));
    router.route(routed('c2', REQUEST, 2));
    actorOf('c1').become('awaitingRequest');
    router.route(routed('c1', REQUEST, 3));
    expect([drops, actorOf('c1').log]).toEqual([[], ['request:3']]);
  });
});
