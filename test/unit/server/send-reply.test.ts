// Two guards: a reply that does not fit option 57 is trimmed (counted, logged at debug) and still sent;
// and a client past its decline limit is not believed — its decline does not put the address on probation.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AggregatedLog } from '../../../src/aggregated-log.js';
import { ManualClock } from '../../../src/clock.js';
import { MessageType, type DhcpRequest } from '../../../src/codec/types.js';
import type { Outbound, Transport } from '../../../src/net/types.js';
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
