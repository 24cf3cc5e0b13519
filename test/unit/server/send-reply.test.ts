// Two guards: a reply that does not fit option 57 is trimmed (counted, logged at debug) and still sent;
// and a client past its decline limit is not believed — its decline does not put the address on probation.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AggregatedLog } from '../../../src/aggregated-log.js';
import { ManualClock } from '../../../src/clock.js';
import { MessageType, type DhcpRequest } from '../../../src/codec/types.js';
import type { Outbound, SendDone, Transport } from '../../../src/net/types.js';
import { NetError } from '../../../src/errors.js';
import { ResponseCache } from '../../../src/server/response-cache.js';
import { buildReply } from '../../../src/server/reply.js';
import { createReplySender } from '../../../src/server/send-reply.js';
import { Stats } from '../../../src/server/stats.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { clientMessage } from '../../helpers/test-client.js';
import { startTestServer, type TestServer } from '../../helpers/test-server.js';

const SERVER = '198.51.100.1';

describe('send-reply', () => {
  it('a reply that does not fit even with overload is trimmed, logged at debug with the dropped codes, counted and sent', () => {
    const sent: Outbound[] = [];
    const transport = { kind: 'memory', send: async (o: Outbound) => void sent.push(o) } as unknown as Transport;
    const stats = new Stats();
    const lines: Record<string, unknown>[] = [];
    const clock = new ManualClock();
    const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const replies = createReplySender({
      transport: () => transport, ports: () => ({ server: 67, client: 68 }), clock, log, stats, notices: new AggregatedLog({ clock, log }),
    });
    // A 255-byte client identifier and a 255-byte option 82 (a packet generator): 576 cannot hold both.
    const request = { ...clientMessage({ mac: '02:00:5e:10:00:80', clientId: Buffer.alloc(255, 1), giaddr: '203.0.113.1' }, MessageType.DISCOVER, {
      extra: [{ code: 82, data: Buffer.alloc(255, 2) }],
    }), type: MessageType.DISCOVER } as DhcpRequest;
    const message = buildReply(request, { type: MessageType.OFFER, serverId: SERVER, yiaddr: '203.0.113.100', times: { lease: 600, renewal: 300, rebinding: 525 } });
    const routed = { request, clientKey: 'id:01', inbound: { data: Buffer.alloc(0), from: { address: '203.0.113.1', port: 67 }, receivedAt: 0 } };
    expect(() => replies.send({ kind: 'reply', type: MessageType.OFFER, message, maxSize: 548 }, routed)).not.toThrow();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.data.length).toBeLessThanOrEqual(548);
    expect(stats.drops.get('reply-unencodable')).toBeUndefined();
    expect(stats.events.get('reply.trimmed')).toBe(1);
    const trimmed = lines.filter((l) => l['evt'] === 'reply.trimmed');
    expect(trimmed.map((l) => [l['level'], l['dropped']])).toEqual([[20, [61]]]);
  });
});

describe('send-reply through a transport that posts (a callback per reply, no promise)', () => {
  function setup(postFails: number, postThrows = false) {
    const posted: Outbound[] = [];
    const sent: Outbound[] = [];
    const transport = {
      kind: 'native',
      send: async (o: Outbound) => void sent.push(o),
      post<T>(out: Outbound, done: SendDone<T>, token: T) {
        posted.push(out);
        if (postThrows) throw new TypeError('a bug in post');
        const fail = postFails-- > 0;
        queueMicrotask(() => done(token, !fail, fail ? new NetError('DHCPD_ERR_NET_SEND', 'sendmsg ENOBUFS', { details: { errno: 'ENOBUFS' } }) : undefined));
      },
    } as unknown as Transport;
    const stats = new Stats();
    const clock = new ManualClock();
    const log = pino({ level: 'silent' });
    const cache = new ResponseCache(clock, () => ({ maxEntries: 16, ttlMs: 10_000 }));
    const replies = createReplySender({
      transport: () => transport, ports: () => ({ server: 67, client: 68 }), clock, log, stats, notices: new AggregatedLog({ clock, log }), cache,
      sendRetry: () => ({ attempts: 3, backoff: { initialMs: 1, maxMs: 1, factor: 2, jitter: 0 } }),
    });
    const request = { ...clientMessage({ mac: '02:00:5e:10:00:81', giaddr: '203.0.113.1' }, MessageType.DISCOVER), type: MessageType.DISCOVER } as DhcpRequest;
    const message = buildReply(request, { type: MessageType.OFFER, serverId: SERVER, yiaddr: '203.0.113.101', times: { lease: 600, renewal: 300, rebinding: 525 } });
    const data = Buffer.from('discover bytes');
    const routed = { request, clientKey: 'hw:1:02:00:5e:10:00:81', inbound: { data, from: { address: '203.0.113.1', port: 67 }, receivedAt: 0 } };
    replies.send({ kind: 'reply', type: MessageType.OFFER, message, maxSize: 548 }, routed);
    return { posted, sent, stats, clock, cache, routed };
  }

  it('counts the reply sent and keeps it for a retransmission once the transport calls back', async () => {
    const { posted, sent, stats, cache, routed } = setup(0);
    expect(posted).toHaveLength(1);
    expect(stats.snapshot()['sent']).toEqual({});
    await Promise.resolve();
    expect(stats.snapshot()['sent']).toEqual({ OFFER: 1 });
    expect(sent).toHaveLength(0);
    expect(posted[0]!.to).toEqual({ address: '203.0.113.1', port: 67 });
    expect(cache.lookup(routed)?.reply.data.equals(posted[0]!.data)).toBe(true);
  });

  it('takes a post that throws as the first attempt\'s failure, as a throwing send() was: given up when not transient', async () => {
    const { posted, sent, stats } = setup(0, true);
    expect(posted).toHaveLength(1);
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(sent).toHaveLength(0);
    expect(stats.snapshot()['sent']).toEqual({});
    expect(stats.events.get('send.failed')).toBe(1);
  });

  it('retries a first post that failed with the retry machinery (through send), then counts it', async () => {
    const { posted, sent, stats, clock } = setup(1);
    await Promise.resolve();
    await Promise.resolve();
    clock.advance(5);
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(posted).toHaveLength(1);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.data.equals(posted[0]!.data)).toBe(true);
    expect(stats.events.get('send.retry')).toBe(1);
    expect(stats.snapshot()['sent']).toEqual({ OFFER: 1 });
  });
});

describe('decline limit', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('the decline past the limit is not applied: the address stays bound, the client is then ignored', async () => {
    server = await startTestServer(await openMemoryStore()); // maxDeclinesPerClient: 2
    const client = { mac: '02:00:5e:10:00:81' };
    const declined: string[] = [];
    for (let i = 0; i < 3; i++) {
      const ip = (await server.exchange(clientMessage(client, MessageType.DISCOVER)))!.message.yiaddr;
      await server.exchange(clientMessage(client, MessageType.REQUEST, { requested: ip, serverId: SERVER }));
      await server.exchange(clientMessage(client, MessageType.DECLINE, { requested: ip, serverId: SERVER }), { waitMs: 50 });
      declined.push(ip);
    }
    expect(declined.map((ip) => server!.app.lease(ip)!.state)).toEqual(['declined', 'declined', 'bound']);
    expect(server.app.statistics().counters['drops']?.['decline-limit']).toBe(1);
    expect(await server.exchange(clientMessage(client, MessageType.DISCOVER), { waitMs: 100 })).toBeUndefined();
    // Another client is served as usual.
    expect(await server.exchange(clientMessage({ mac: '02:00:5e:10:00:82' }, MessageType.DISCOVER))).toBeDefined();
  });
});
