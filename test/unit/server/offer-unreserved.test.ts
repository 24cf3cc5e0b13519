// Offers that do not reserve under pressure (docs/protocol.md "Offers yield under pressure"): a busy pool — every
// address offered, every offer within its request window — still answers a DISCOVER, with an address another
// client's sent offer holds; the first REQUEST for the address wins it, exactly one binding per address.
import { afterEach, describe, expect, it } from 'vitest';
import { MessageType } from '../../../src/codec/types.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { UnreservedOffers } from '../../../src/server/unreserved-offers.js';
import { FaultyStore } from '../../helpers/faults.js';
import { clientMessage, type ClientSpec } from '../../helpers/test-client.js';
import { LAB_CONFIG, SERVER_ID, replyType } from '../../helpers/test-server.js';
import { settle, startTestDaemon, type TestDaemon } from '../../helpers/test-daemon.js';
import type { LeaseStore } from '../../../src/store/types.js';

const ONE = '198.51.100.100';
const client = (i: number): ClientSpec => ({ mac: `02:00:5e:30:00:${i.toString(16).padStart(2, '0')}` });
const key = (i: number) => `hw:1:${client(i).mac}`;

describe('unreserved offers under pressure', () => {
  const servers: TestDaemon[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.app.stop();
  });

  /** A pool of `size` addresses, each offered (and sent) to clients 0..size-1 within the last millisecond. */
  async function busyPool(size = 1, store?: LeaseStore): Promise<TestDaemon> {
    const end = `198.51.100.${99 + size}`;
    const wire = { ...LAB_CONFIG, subnets: [{ ...LAB_CONFIG.subnets[0]!, pools: [{ start: ONE, end }] }, LAB_CONFIG.subnets[1]!] };
    const s = startTestDaemon({ captureLogs: true, store: store ?? await openMemoryStore(), wire });
    servers.push(s);
    await s.app.ready;
    for (let i = 0; i < size; i++) expect((await s.exchange(clientMessage(client(i), MessageType.DISCOVER)))!.message.yiaddr).toBeDefined();
    return s;
  }

  const discover = async (s: TestDaemon, i: number) => (await s.exchange(clientMessage(client(i), MessageType.DISCOVER)))?.message;
  const request = async (s: TestDaemon, i: number, ip = ONE) =>
    (await s.exchange(clientMessage(client(i), MessageType.REQUEST, { requested: ip, serverId: SERVER_ID })))!.message;

  it('the first REQUEST wins: the unreserved client binds, the holder\'s offer is withdrawn and its REQUEST NAKed', async () => {
    const s = await busyPool();
    expect((await discover(s, 1))!.yiaddr).toBe(ONE);
    expect(s.app.lease(ONE)).toMatchObject({ state: 'offered', context: { clientKey: key(0) } });
    expect(replyType(await request(s, 1))).toBe(MessageType.ACK);
    expect(s.app.lease(ONE)).toMatchObject({ state: 'bound', context: { clientKey: key(1) } });
    const late = await request(s, 0);
    expect(replyType(late)).toBe(MessageType.NAK);
    expect(s.app.lease(ONE)).toMatchObject({ state: 'bound', context: { clientKey: key(1) } });
    expect(s.app.statistics().counters.events).toMatchObject({ 'offer.unreserved': 1, 'offer.won': 1 });
    expect(s.app.statistics().counters.naks).toMatchObject({ 'offer-gone': 1 });
  });

  it('the holder REQUESTs first: it binds, and the unreserved client is NAKed (one binding per address)', async () => {
    const s = await busyPool();
    expect((await discover(s, 1))!.yiaddr).toBe(ONE);
    expect(replyType(await request(s, 0))).toBe(MessageType.ACK);
    expect(replyType(await request(s, 1))).toBe(MessageType.NAK);
    expect(s.app.lease(ONE)).toMatchObject({ state: 'bound', context: { clientKey: key(0) } });
  });

  it('two unreserved clients of one address: the first REQUEST binds, the second is NAKed', async () => {
    const s = await busyPool();
    expect((await discover(s, 1))!.yiaddr).toBe(ONE);
    expect((await discover(s, 2))!.yiaddr).toBe(ONE);
    expect(replyType(await request(s, 2))).toBe(MessageType.ACK);
    expect(replyType(await request(s, 1))).toBe(MessageType.NAK);
    expect(replyType(await request(s, 0))).toBe(MessageType.NAK);
    expect([...s.app.leases()].filter((l) => l.state === 'bound')).toHaveLength(1);
  });

  it('a retransmitted DISCOVER gets the same unreserved offer; a REQUEST uses it up, win or lose', async () => {
    const s = await busyPool(4);
    const first = (await discover(s, 9))!.yiaddr;
    for (let i = 0; i < 3; i++) expect((await discover(s, 9))!.yiaddr).toBe(first);
    expect(replyType(await request(s, 9, first))).toBe(MessageType.ACK);
    const other = (await discover(s, 10))!.yiaddr;
    // Another address than its unreserved one: NAKed, and its unreserved offer is not used up by it.
    const wrong = other === ONE ? '198.51.100.101' : ONE;
    expect(replyType(await request(s, 10, wrong))).toBe(MessageType.NAK);
    expect(replyType(await request(s, 10, other))).toBe(MessageType.ACK);
    expect(replyType(await request(s, 10, other))).toBe(MessageType.ACK); // its own binding now
  });

  it('an unreserved offer lasts offerHoldMs; an address that became free meanwhile is won by its REQUEST', async () => {
    const s = await busyPool();
    expect((await discover(s, 1))!.yiaddr).toBe(ONE);
    s.clock.advance(60_000); // the holder's offer and the unreserved one lapse together (offerHoldSeconds 60)
    expect(replyType(await request(s, 1))).toBe(MessageType.NAK);
    expect(s.app.lease(ONE)?.state ?? 'reclaimed').toBe('reclaimed');
    const s2 = await busyPool();
    expect((await discover(s2, 1))!.yiaddr).toBe(ONE);
    // The holder gives its offer up (it chose another server): the address is free, the unreserved client wins it.
    await s2.exchange(clientMessage(client(0), MessageType.REQUEST, { requested: ONE, serverId: '198.51.100.2' }), { waitMs: 20 });
    expect(s2.app.isTaken(ONE)).toBe(false);
    s2.clock.advance(59_999);
    expect(replyType(await request(s2, 1))).toBe(MessageType.ACK);
    expect(s2.app.statistics().counters.events!['offer.won']).toBeUndefined(); // nobody's offer was taken
  });

  it('a win whose store write fails ACKs nothing and puts the holder\'s offer back', async () => {
    const store = new FaultyStore(await openMemoryStore());
    const s = await busyPool(1, store);
    expect((await discover(s, 1))!.yiaddr).toBe(ONE);
    store.failing = true;
    s.inject(clientMessage(client(1), MessageType.REQUEST, { requested: ONE, serverId: SERVER_ID }));
    // The write is retried with backoff on the manual clock until it gives up.
    for (let i = 0; i < 100 && (s.app.statistics().counters.drops ?? {})['store-unavailable'] === undefined; i++) {
      s.clock.advance(1_000);
      await settle(2);
    }
    expect(s.app.statistics().counters.drops).toMatchObject({ 'store-unavailable': 1 });
    expect(s.link.sent.filter((m) => replyType(m.message) === MessageType.ACK)).toHaveLength(0);
    expect(s.app.lease(ONE)).toMatchObject({ state: 'offered', context: { clientKey: key(0) } });
    store.failing = false;
    expect(replyType(await request(s, 0))).toBe(MessageType.ACK);
  });

  it('an address bound or declined is never offered unreserved: the DISCOVER goes unanswered', async () => {
    const s = await busyPool();
    expect(replyType(await request(s, 0))).toBe(MessageType.ACK);
    expect(await s.exchange(clientMessage(client(1), MessageType.DISCOVER), { waitMs: 30 })).toBeUndefined();
    expect(s.app.statistics().counters.drops).toMatchObject({ 'pool-exhausted': 1 });
    expect(s.app.statistics().counters.events!['offer.unreserved']).toBeUndefined();
  });
});

describe('UnreservedOffers (the bounded table)', () => {
  it('keeps at most max entries, the oldest evicted first and counted; expired entries go', () => {
    const table = new UnreservedOffers(3);
    for (let i = 0; i < 5; i++) table.made(`c${i}`, { ip: ONE, subnetId: 1, until: 1_000 + i }, 0);
    expect(table.size).toBe(3);
    expect(table.evicted).toBe(2);
    expect(table.of('c0', 1, 0)).toBeUndefined();
    expect(table.of('c4', 1, 0)).toMatchObject({ ip: ONE });
    expect(table.of('c4', 2, 0)).toBeUndefined(); // another subnet
    expect(table.of('c4', 1, 1_004)).toBeUndefined(); // expired
    table.made('c9', { ip: ONE, subnetId: 1, until: 5_000 }, 1_003);
    expect(table.size).toBe(2); // c2 (until 1002) swept; c3 (1003) ends at 1003 too; c4 stays
  });

  it('a renewed or forgotten entry keeps the order right across thousands of offers (oldest evicted first)', () => {
    const table = new UnreservedOffers(1_000);
    for (let i = 0; i < 5_000; i++) {
      table.made(`c${i}`, { ip: ONE, subnetId: 1, until: 100_000 }, i);
      if (i % 10 === 0) table.made('keep', { ip: ONE, subnetId: 1, until: 100_000 }, i); // renewed: to the back
      if (i % 7 === 0) table.forget(`c${i - 3}`);
    }
    expect(table.size).toBe(1_000);
    expect(table.of('keep', 1, 5_000)).toBeDefined();
    expect(table.of('c4999', 1, 5_000)).toBeDefined(); // among the 999 newest others still recorded
    expect(table.of('c2000', 1, 5_000)).toBeUndefined(); // evicted long ago
    expect(table.evicted).toBe(5_001 - 1_000 - [...Array(5_000).keys()].filter((i) => i % 7 === 0 && i >= 3).length);
  });

  it('spreads new clients over the candidates and gives a returning client its own address', () => {
    const table = new UnreservedOffers();
    const candidates = ['a', 'b', 'c'];
    const chosen = ['x', 'y', 'z'].map((c) => table.choose(c, 1, candidates, 0));
    expect(new Set(chosen).size).toBe(3);
    table.made('x', { ip: chosen[0]!, subnetId: 1, until: 10 }, 0);
    for (let i = 0; i < 4; i++) expect(table.choose('x', 1, candidates, 1)).toBe(chosen[0]);
    expect(table.choose('x', 1, ['d'], 1)).toBe('d'); // no longer a candidate
  });
});
