// A store whose writes fail for a while, then recover: no ACK without a durable write, INFORM and required NAKs
// still answered, the condition reported (log evt, counter, health), and service resuming on its own.
import { describe, expect, it } from 'vitest';
import { MessageType } from '../../../src/codec/types.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { clientMessage } from '../../helpers/test-client.js';
import { FaultyStore } from '../../helpers/faults.js';
import { startTestDaemon } from '../../helpers/test-daemon.js';
import { replyType } from '../../helpers/test-server.js';
import { clientLease } from '../store/helpers.js';

const SERVER = '198.51.100.1';

describe('a store that fails for a while', () => {
  it('grants no lease while writes fail, answers what it safely can, and resumes by itself', async () => {
    const store = new FaultyStore(await openMemoryStore());
    const server = startTestDaemon({ captureLogs: true, store });
    await server.app.ready;
    const client = { mac: '02:00:5e:10:00:51' };
    const offer = await server.exchange(clientMessage(client, MessageType.DISCOVER));
    const ip = offer!.message.yiaddr;

    store.failing = true;
    const request = clientMessage(client, MessageType.REQUEST, { requested: ip, serverId: SERVER });
    expect(await server.exchange(request, { stepMs: 50, waitMs: 400 })).toBeUndefined();
    // Retried with backoff (the store was believed healthy), then given up: 3 attempts, nothing stored.
    expect(store.failedWrites).toBe(3);
    expect(server.app.lease(ip)?.state).toBe('offered');
    const counters = server.app.statistics().counters;
    expect(counters.events).toMatchObject({ 'store.write.retry': 2, 'store.write.gave_up': 1, 'store.unwritable': 1 });
    expect(counters.errors!['store']).toBeGreaterThanOrEqual(1);
    expect(server.evts()).toEqual(expect.arrayContaining(['store.write.retry', 'store.write.gave_up', 'store.unwritable']));
    const health = server.app.health();
    expect(health).toMatchObject({ status: 'degraded', serving: true, store: { writable: false, failedWrites: 3 } });
    expect(health.children.store.status).toBe('degraded');
    expect(health.store.lastError).toContain('No space left');

    // The retransmission is one probe, not another retry series.
    const again = await server.exchange(request, { stepMs: 50, waitMs: 200 });
    expect(again).toBeUndefined();
    expect(store.failedWrites).toBe(4);

    // INFORM needs no lease; a REQUEST for an address on another network still gets its NAK (RFC 2131 §4.3.2).
    const inform = await server.exchange(clientMessage({ mac: '02:00:5e:10:00:52' }, MessageType.INFORM, { ciaddr: '198.51.100.20' }),
      { from: '198.51.100.20' });
    expect(inform && replyType(inform.message)).toBe(MessageType.ACK);
    const wrongNet = await server.exchange(clientMessage({ mac: '02:00:5e:10:00:53' }, MessageType.REQUEST, { requested: '203.0.113.150' }));
    expect(wrongNet && replyType(wrongNet.message)).toBe(MessageType.NAK);
    expect(server.link.sent.filter((s) => replyType(s.message) === MessageType.ACK && s.message.yiaddr !== '0.0.0.0')).toEqual([]);

    store.failing = false;
    const fresh = await server.exchange(clientMessage(client, MessageType.DISCOVER));
    const ack = await server.exchange(clientMessage(client, MessageType.REQUEST, { requested: fresh!.message.yiaddr, serverId: SERVER }));
    expect(ack && replyType(ack.message)).toBe(MessageType.ACK);
    expect(await clientLease(store, 1, server.app.lease(ack!.message.yiaddr)!.context.clientKey)).toBeDefined();
    expect(server.app.health()).toMatchObject({ status: 'ok', store: { writable: true } });
    expect(server.app.health().store.failedWrites).toBeUndefined();
    expect(server.app.statistics().counters.events!['store.writable']).toBe(1);
    const recovered = server.logs.find((l) => l.evt === 'store.writable');
    expect(recovered).toMatchObject({ failedWrites: 4 });
    expect(await server.app.stop()).toBe(0);
  });

  it('keeps a renewal it cannot store from being ACKed, and the lease keeps its old times', async () => {
    const store = new FaultyStore(await openMemoryStore());
    const server = startTestDaemon({ captureLogs: true, store });
    await server.app.ready;
    const client = { mac: '02:00:5e:10:00:54' };
    const offer = await server.exchange(clientMessage(client, MessageType.DISCOVER));
    const ip = offer!.message.yiaddr;
    await server.exchange(clientMessage(client, MessageType.REQUEST, { requested: ip, serverId: SERVER }));
    const before = server.app.lease(ip)!.context.expiresAt;
    server.clock.advance(1_800_000);
    store.failing = true;
    const renew = clientMessage(client, MessageType.REQUEST, { ciaddr: ip });
    expect(await server.exchange(renew, { from: ip, stepMs: 50, waitMs: 400 })).toBeUndefined();
    expect(server.app.lease(ip)!.context.expiresAt).toBe(before);
    expect((await store.get(ip))?.context.expiresAt).toBe(before);
    store.failing = false;
    const ack = await server.exchange(renew, { from: ip });
    expect(ack && replyType(ack.message)).toBe(MessageType.ACK);
    expect(server.app.lease(ip)!.context.expiresAt).toBeGreaterThan(before);
    await server.app.stop();
  });
});
