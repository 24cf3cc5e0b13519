// Offers yield under pressure: a DISCOVER-only flood larger than the pool cannot keep a new client from a lease;
// bound leases are never taken; exhaustion of bound addresses is logged aggregated.
import { afterEach, describe, expect, it } from 'vitest';
import { MessageType } from '../../../src/codec/types.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { clientMessage, type ClientSpec } from '../../helpers/test-client.js';
import { LAB_CONFIG, SERVER_ID, replyType } from '../../helpers/test-server.js';
import { settle, startTestDaemon, type TestDaemon } from '../../helpers/test-daemon.js';

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

  it('a DISCOVER-only flood three times the pool still leaves a new client a lease (the oldest offer is reclaimed)', async () => {
    const s = await server();
    const offers: string[] = [];
    for (let i = 0; i < 30; i++) {
      s.clock.advance(100);
      const offer = await s.exchange(clientMessage({ mac: mac(i) }, MessageType.DISCOVER));
      expect(offer && replyType(offer.message)).toBe(MessageType.OFFER);
      offers.push(offer!.message.yiaddr);
    }
    // Ten addresses, handed round oldest-offer first.
    expect(offers.slice(10)).toEqual([...offers.slice(0, 10), ...offers.slice(0, 10)]);
    expect(await bind(s, { mac: mac(999) })).toBe(offers[0]);
    expect(s.app.statistics().counters.events!['offer.reclaimed']).toBe(21);
    expect(s.evts()).not.toContain('pool.exhausted');
    // The reclaimed offer's first holder is NAKed when it finally REQUESTs, and starts over.
    const late = await s.exchange(clientMessage({ mac: mac(0) }, MessageType.REQUEST, { requested: offers[0], serverId: SERVER_ID }));
    expect(late && replyType(late.message)).toBe(MessageType.NAK);
    // One aggregated line per interval, not one per reclaimed offer.
    expect(s.logs.filter((l) => l.evt === 'offer.reclaimed')).toHaveLength(1);
  });

  it('a retransmitted DISCOVER keeps its own offer and moves it to the back of the queue', async () => {
    const s = await server();
    const first = await s.exchange(clientMessage({ mac: mac(0) }, MessageType.DISCOVER));
    for (let i = 1; i < 10; i++) await s.exchange(clientMessage({ mac: mac(i) }, MessageType.DISCOVER));
    const again = await s.exchange(clientMessage({ mac: mac(0) }, MessageType.DISCOVER));
    expect(again!.message.yiaddr).toBe(first!.message.yiaddr);
    s.clock.advance(100); // past offerRequestWindowMs: every offer is soft
    const newcomer = await s.exchange(clientMessage({ mac: mac(50) }, MessageType.DISCOVER));
    expect(newcomer!.message.yiaddr).not.toBe(first!.message.yiaddr);
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

  describe('a sent offer is shielded for offerRequestWindowMs: its REQUEST is one round trip away', () => {
    async function fullPool(wire?: object): Promise<{ s: TestDaemon; oldest: string }> {
      const s = await server(wire);
      const oldest = (await s.exchange(clientMessage({ mac: mac(0) }, MessageType.DISCOVER)))!.message.yiaddr;
      s.clock.advance(1);
      for (let i = 1; i < 10; i++) await s.exchange(clientMessage({ mac: mac(i) }, MessageType.DISCOVER));
      return { s, oldest };
    }
    const drops = (s: TestDaemon) => s.app.statistics().counters.drops ?? {};

    it('within the window nothing yields: the DISCOVER is answered with an unreserved offer, spread over the pool, logged aggregated', async () => {
      const { s } = await fullPool();
      const holders = () => Array.from({ length: 10 }, (_, i) => s.app.lease(`198.51.100.${100 + i}`)?.context.clientKey);
      const before = holders();
      expect(before.every((key) => key !== undefined)).toBe(true);
      s.clock.advance(98); // the oldest offer was sent 99 ms ago
      const offered: string[] = [];
      for (let i = 10; i < 15; i++) {
        const offer = await s.exchange(clientMessage({ mac: mac(i) }, MessageType.DISCOVER));
        expect(offer && replyType(offer.message)).toBe(MessageType.OFFER);
        offered.push(offer!.message.yiaddr);
      }
      expect(new Set(offered).size).toBe(5); // not everyone on one address
      expect(holders()).toEqual(before); // nothing withdrawn, nothing reserved for the newcomers
      expect(drops(s)['offers-shielded']).toBeUndefined();
      expect(s.app.statistics().counters.events).toMatchObject({ 'offer.unreserved': 5 });
      expect(s.app.statistics().counters.events!['offer.reclaimed']).toBeUndefined();
      const lines = () => s.logs.filter((l) => l.evt === 'offer.unreserved');
      expect(lines()).toMatchObject([{ count: 1, reason: '198.51.100.0/24', shielded: 10 }]);
      s.clock.advance(10_000);
      expect(lines()).toMatchObject([{ count: 1 }, { count: 4 }]);
    });

    it('the oldest offer yields once its window is over, the others stay shielded (offered unreserved)', async () => {
      const { s, oldest } = await fullPool();
      s.clock.advance(99); // the oldest offer was sent 100 ms ago, the others 99 ms ago
      expect((await s.exchange(clientMessage({ mac: mac(10) }, MessageType.DISCOVER)))!.message.yiaddr).toBe(oldest);
      const unreserved = await s.exchange(clientMessage({ mac: mac(11) }, MessageType.DISCOVER));
      expect(unreserved!.message.yiaddr).not.toBe(oldest);
      expect(s.app.lease(oldest)).toMatchObject({ state: 'offered', context: { clientKey: `hw:1:${mac(10)}` } });
      expect(s.app.statistics().counters.events).toMatchObject({ 'offer.reclaimed': 1, 'offer.unreserved': 1 });
      expect(drops(s)['offers-shielded']).toBeUndefined();
    });

    it('a client that REQUESTs its offer within the window binds, whatever the flood', async () => {
      const { s } = await fullPool();
      s.clock.advance(1_000);
      const offer = await s.exchange(clientMessage({ mac: mac(100) }, MessageType.DISCOVER));
      // The flood goes on: its DISCOVERs take the other, older offers, never the one just sent.
      for (let i = 200; i < 220; i++) s.inject(clientMessage({ mac: mac(i) }, MessageType.DISCOVER));
      s.clock.advance(50);
      const ack = await s.exchange(clientMessage({ mac: mac(100) }, MessageType.REQUEST, { requested: offer!.message.yiaddr, serverId: SERVER_ID }));
      expect(replyType(ack!.message)).toBe(MessageType.ACK);
    });

    it('the window is judged when the DISCOVER arrived: one that waited behind a backlog takes no offer shielded when it arrived', async () => {
      const { s } = await fullPool();
      s.clock.advance(250);
      // Read 50 ms after the offers went out, decided 200 ms later: the server lagged. It is offered an address
      // unreserved; no offer is withdrawn.
      s.inject(clientMessage({ mac: mac(10) }, MessageType.DISCOVER), { receivedAt: s.clock.now() - 200 });
      await settle(20);
      expect(s.app.statistics().counters.events).toMatchObject({ 'offer.unreserved': 1 });
      expect(s.app.statistics().counters.events!['offer.reclaimed']).toBeUndefined();
    });

    it('offerRequestWindowMs 0: a sent offer yields at once', async () => {
      const { s, oldest } = await fullPool({ offerRequestWindowMs: 0 });
      expect((await s.exchange(clientMessage({ mac: mac(10) }, MessageType.DISCOVER)))!.message.yiaddr).toBe(oldest);
      expect(drops(s)['offers-shielded']).toBeUndefined();
    });
  });
});
