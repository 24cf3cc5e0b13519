// Offers yield under pressure: a DISCOVER-only flood larger than the pool cannot keep a new client from a lease
// (offers do not reserve once the pool is full); bound leases are never taken; exhaustion of bound addresses is
// logged aggregated. The first REQUEST wins: offer-unreserved.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { MessageType } from '../../../src/codec/types.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { clientMessage, type ClientSpec } from '../../helpers/test-client.js';
import { LAB_CONFIG, SERVER_ID, replyType } from '../../helpers/test-server.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/test-daemon.js';

const mac = (i: number) => `02:00:5e:20:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;

async function bind(s: TestDaemon, client: ClientSpec): Promise<string | undefined> {
  const offer = await s.exchange(clientMessage(client, MessageType.DISCOVER));
  if (offer === undefined) return undefined;
  const ack = await s.exchange(clientMessage(client, MessageType.REQUEST, { requested: offer.message.yiaddr, serverId: SERVER_ID }));
  return ack !== undefined && replyType(ack.message) === MessageType.ACK ? ack.message.yiaddr : undefined;
}

describe('offers yield under pressure', () => {
  const servers: TestDaemon[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.app.stop();
  });

  async function server(wire?: object): Promise<TestDaemon> {
    const s = startTestDaemon({ captureLogs: true, store: await openMemoryStore(), ...(wire ? { wire: { ...LAB_CONFIG, ...wire } } : {}) });
    servers.push(s);
    await s.app.ready;
    return s;
  }

  it('a DISCOVER-only flood three times the pool still leaves a new client a lease (offers that do not reserve)', async () => {
    const s = await server();
    const offers: string[] = [];
    for (let i = 0; i < 30; i++) {
      s.clock.advance(100);
      const offer = await s.exchange(clientMessage({ mac: mac(i) }, MessageType.DISCOVER));
      expect(offer && replyType(offer.message)).toBe(MessageType.OFFER);
      offers.push(offer!.message.yiaddr);
    }
    // Ten addresses offered (and held) to the first ten; the next twenty offered unreserved, spread over them.
    expect(new Set(offers.slice(10)).size).toBe(10);
    for (const [i, ip] of offers.slice(0, 10).entries()) expect(s.app.lease(ip)).toMatchObject({ state: 'offered', context: { clientKey: `hw:1:${mac(i)}` } });
    expect(s.app.statistics().counters.events).toMatchObject({ 'offer.unreserved': 20 });
    expect(await bind(s, { mac: mac(999) })).toBeDefined();
    expect(s.evts()).not.toContain('pool.exhausted');
    // One aggregated line per interval, not one per unreserved offer.
    expect(s.logs.filter((l) => l.evt === 'offer.unreserved')).toHaveLength(1);
  });

  it('a retransmitted DISCOVER keeps its own offer', async () => {
    const s = await server();
    const first = await s.exchange(clientMessage({ mac: mac(0) }, MessageType.DISCOVER));
    for (let i = 1; i < 10; i++) await s.exchange(clientMessage({ mac: mac(i) }, MessageType.DISCOVER));
    s.clock.advance(1_000);
    const again = await s.exchange(clientMessage({ mac: mac(0) }, MessageType.DISCOVER));
    expect(again!.message.yiaddr).toBe(first!.message.yiaddr);
    expect(s.app.lease(first!.message.yiaddr)).toMatchObject({ context: { clientKey: `hw:1:${mac(0)}` } });
  });

  it('never takes a bound lease: with every address bound, DISCOVERs are dropped and logged aggregated', async () => {
    const s = await server();
    for (let i = 0; i < 10; i++) expect(await bind(s, { mac: mac(i) })).toBeDefined();
    for (let i = 10; i < 15; i++) expect(await s.exchange(clientMessage({ mac: mac(i) }, MessageType.DISCOVER), { waitMs: 30 })).toBeUndefined();
    const lines = () => s.logs.filter((l) => l.evt === 'pool.exhausted');
    expect(lines()).toMatchObject([{ count: 1, reason: '198.51.100.0/24', err: { code: 'DHCPD_ERR_LEASE_POOL_EXHAUSTED' } }]);
    expect((lines()[0]!['err'] as { stack?: string }).stack ?? '').toBe(''); // no stack for a packet's trouble
    s.clock.advance(10_000);
    expect(lines()).toMatchObject([{ count: 1 }, { count: 4 }]);
    expect(s.app.statistics().counters.drops!['pool-exhausted']).toBe(5);
  });

  it('under a flood, a client whose REQUEST comes late still binds: no DISCOVER takes its offer', async () => {
    const s = await server();
    const offer = await s.exchange(clientMessage({ mac: mac(100) }, MessageType.DISCOVER));
    for (let i = 200; i < 260; i++) {
      s.clock.advance(50);
      expect((await s.exchange(clientMessage({ mac: mac(i) }, MessageType.DISCOVER)))!.message.yiaddr).toBeDefined();
    }
    // Three seconds of flood later (a server lagging, a far relay): the offer is still its own.
    const ack = await s.exchange(clientMessage({ mac: mac(100) }, MessageType.REQUEST, { requested: offer!.message.yiaddr, serverId: SERVER_ID }));
    expect(replyType(ack!.message)).toBe(MessageType.ACK);
    expect(s.app.statistics().counters.drops ?? {}).not.toHaveProperty('offers-shielded');
  });
});
