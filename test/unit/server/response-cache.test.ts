// A retransmitted request (same client, same xid, same content; `secs` may grow) gets the very bytes already sent,
// without a new decision or a new write; anything else from the client, a lease change or the time limit ends
// that. Bounded in count, counted in statistics.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { MessageType } from '../../../src/codec/types.js';
import type { RoutedRequest } from '../../../machines/transaction.types.js';
import { ResponseCache } from '../../../src/server/response-cache.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { clientMessage } from '../../helpers/test-client.js';
import { SERVER_ID } from '../../helpers/test-server.js';
import { FaultyStore } from '../../helpers/faults.js';
import { startTestDaemon } from '../../helpers/test-daemon.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function server() {
  const store = new FaultyStore(await openMemoryStore());
  const s = startTestDaemon({ captureLogs: true, store });
  await s.app.ready;
  return { s, store };
}

describe('response cache', () => {
  it('answers a retransmitted REQUEST with the same bytes, without a new decision or write', async () => {
    const { s, store } = await server();
    const client = { mac: '02:00:5e:10:04:01' };
    const offer = await s.exchange(clientMessage(client, MessageType.DISCOVER, { xid: 0x4001 }));
    const request = clientMessage(client, MessageType.REQUEST, { xid: 0x4002, requested: offer!.message.yiaddr, serverId: SERVER_ID });
    const ack = await s.exchange(request);
    const writes = store.writes;
    const again = await s.exchange({ ...request, secs: 4 }); // a retransmission 4 s later
    expect(again!.out.data.equals(ack!.out.data)).toBe(true);
    expect(store.writes).toBe(writes);
    expect(s.app.statistics().responseCache).toMatchObject({ hits: 1, entries: 1 });
    expect(s.app.statistics().counters.sent?.ACK).toBe(2);
    await s.app.stop();
  });

  it('answers a retransmitted DISCOVER with the same OFFER; a new xid or other content is decided afresh', async () => {
    const { s } = await server();
    const client = { mac: '02:00:5e:10:04:02' };
    const discover = clientMessage(client, MessageType.DISCOVER, { xid: 0x4010 });
    const first = await s.exchange(discover);
    expect((await s.exchange(discover))!.out.data.equals(first!.out.data)).toBe(true);
    await s.exchange(clientMessage(client, MessageType.DISCOVER, { xid: 0x4010, requested: '198.51.100.109' }));
    await s.exchange(clientMessage(client, MessageType.DISCOVER, { xid: 0x4011 }));
    expect(s.app.statistics().responseCache).toMatchObject({ hits: 1, misses: 3 });
    await s.app.stop();
  });

  it('forgets the reply once the time limit passes, or when the lease is released', async () => {
    const { s, store } = await server();
    const client = { mac: '02:00:5e:10:04:03' };
    const offer = await s.exchange(clientMessage(client, MessageType.DISCOVER, { xid: 0x4020 }));
    const request = clientMessage(client, MessageType.REQUEST, { xid: 0x4021, requested: offer!.message.yiaddr, serverId: SERVER_ID });
    await s.exchange(request);
    s.clock.advance(11_000);
    const writes = store.writes;
    await s.exchange(request);
    expect(store.writes).toBe(writes + 1); // decided and stored again
    expect(s.app.statistics().responseCache?.hits).toBe(0);
    // Released without a packet from the client (by an operator here, or a timer): the cached ACK must not be replayed.
    await s.exchange(request);
    expect(s.app.statistics().responseCache?.hits).toBe(1);
    expect((await s.app.release(offer!.message.yiaddr, 'test')).released).toBe(true);
    await s.exchange(request);
    expect(s.app.statistics().responseCache?.hits).toBe(1);
    await s.app.stop();
  });

  const routed = (client: string): RoutedRequest => {
    const request = clientMessage({ mac: '02:00:5e:10:04:04' }, MessageType.DISCOVER, { xid: 1 });
    const data = Buffer.alloc(300, client.charCodeAt(0));
    return { clientKey: client, request: { ...request, type: MessageType.DISCOVER } as RoutedRequest['request'],
      inbound: { data, from: { address: '0.0.0.0', port: 68 }, receivedAt: 0 } };
  };
  const reply = { data: Buffer.alloc(10, 7), to: { address: '255.255.255.255', port: 68 } };

  it('holds at most maxEntries clients, the oldest going first', () => {
    const cache = new ResponseCache(new ManualClock(), () => ({ maxEntries: 2, ttlMs: 1_000 }));
    for (const c of ['a', 'b', 'c']) cache.remember(routed(c), reply, MessageType.OFFER);
    expect(cache.stats().entries).toBe(2);
    expect(cache.lookup(routed('a'))).toBeUndefined();
    expect(cache.lookup(routed('c'))?.reply).toEqual(reply);
  });

  it('a client\'s replaced replies push nobody out: the oldest client still held goes first, and stays bounded', () => {
    const clock = new ManualClock();
    const cache = new ResponseCache(clock, () => ({ maxEntries: 2, ttlMs: 1_000 }));
    cache.remember(routed('a'), reply, MessageType.OFFER);
    for (let i = 0; i < 5; i++) cache.remember(routed('b'), reply, MessageType.OFFER);
    expect(cache.stats().entries).toBe(2);
    expect(cache.lookup(routed('a'))?.reply).toEqual(reply);
    cache.remember(routed('c'), reply, MessageType.OFFER);
    expect(cache.lookup(routed('a'))).toBeUndefined();
    expect(cache.lookup(routed('b'))?.reply).toEqual(reply);
    // A long run of one client replacing its reply, and of clients forgotten, keeps working within its bounds.
    for (let i = 0; i < 19_999; i++) {
      cache.remember(routed(i % 3 === 0 ? 'x' : `y${i}`), reply, MessageType.OFFER);
      if (i % 3 === 1) cache.forget(`y${i}`);
      clock.advance(0.1);
    }
    expect(cache.stats().entries).toBe(2);
    expect(cache.lookup(routed('y19997'))?.reply).toEqual(reply);
    expect(cache.lookup(routed('x'))?.reply).toEqual(reply);
  });

  it('drops expired entries as new ones come: a flood of one-time clients does not keep it full', () => {
    const clock = new ManualClock();
    const cache = new ResponseCache(clock, () => ({ maxEntries: 100, ttlMs: 1_000 }));
    for (const c of ['a', 'b', 'c']) cache.remember(routed(c), reply, MessageType.OFFER);
    clock.advance(1_000);
    cache.remember(routed('d'), reply, MessageType.OFFER);
    expect(cache.stats().entries).toBe(1);
  });

  it('copies the bytes it keeps into shared slabs: the request\'s and reply\'s own buffers are not held', async () => {
    const cache = new ResponseCache(new ManualClock(), () => ({ maxEntries: 100, ttlMs: 1_000 }));
    const collected: string[] = [];
    const registry = new FinalizationRegistry<string>((name) => collected.push(name));
    (() => {
      // Buffers of their own, as the transport's datagrams and encode's replies are (once kept as they were).
      const request = routed('a');
      const data = Buffer.allocUnsafeSlow(300).fill(0x61);
      const own = { ...reply, data: Buffer.allocUnsafeSlow(3).fill(7) };
      registry.register(data, 'request');
      registry.register(own.data, 'reply');
      cache.remember({ ...request, inbound: { ...request.inbound, data } }, own, MessageType.OFFER);
    })();
    for (let i = 0; i < 20 && collected.length < 2; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(collected.sort()).toEqual(['reply', 'request']);
    // Still answered with the very bytes, as a buffer of its own (not a view of the shared slab).
    const kept = cache.lookup(routed('a'))!.reply.data;
    expect([...kept]).toEqual([7, 7, 7]);
    expect(kept.buffer.byteLength).toBe(3);
  });

  it('matches a retransmission byte for byte across many entries and slabs (only `secs` may differ)', () => {
    const cache = new ResponseCache(new ManualClock(), () => ({ maxEntries: 1_000, ttlMs: 1_000 }));
    const request = (i: number, secs = 0) => {
      const r = routed(`c${i}`);
      const data = Buffer.alloc(300 + (i % 50), i % 251);
      data.writeUInt16BE(secs, 8);
      return { ...r, inbound: { ...r.inbound, data } };
    };
    const replyOf = (i: number) => ({ ...reply, data: Buffer.alloc(250 + (i % 40), (i * 7) % 251) });
    for (let i = 0; i < 1_000; i++) cache.remember(request(i), replyOf(i), MessageType.OFFER); // ~9 slabs
    for (const i of [0, 1, 499, 998, 999]) {
      expect(cache.lookup(request(i, 4))!.reply.data.equals(replyOf(i).data)).toBe(true);
      const changed = request(i);
      changed.inbound.data[20] = changed.inbound.data[20]! ^ 1;
      expect(cache.lookup(changed)).toBeUndefined(); // and forgotten
    }
    const moved = request(5);
    expect(cache.lookup({ ...moved, inbound: { ...moved.inbound, from: { address: '0.0.0.0', port: 67 } } })).toBeUndefined();
  });
  it('keeps its ring within about twice maxEntries slots under any mix of new, replaced, forgotten and expired entries', () => {
    const clock = new ManualClock();
    const cache = new ResponseCache(clock, () => ({ maxEntries: 1_000, ttlMs: 1_000 }));
    for (let i = 0; i < 50_000; i++) {
      const client = i % 7 === 0 ? `new${i}` : `c${i % 1_500}`;
      cache.remember(routed(client), reply, MessageType.OFFER);
      if (i % 5 === 0) cache.forget(`c${(i * 13) % 1_500}`);
      if (i % 11 === 0) cache.lookup(routed(`c${(i * 3) % 1_500}`)); // a request that does not match: forgotten
      clock.advance(0.05);
    }
    expect(cache.stats().entries).toBeLessThanOrEqual(1_000);
    expect(cache.ringSlots).toBeLessThanOrEqual(2_048);
    // The newest entry is still answered, an old one not.
    expect(cache.lookup(routed('c1499'))?.reply).toEqual(reply);
    expect(cache.lookup(routed('new7'))).toBeUndefined();
  });

  it('makes its slots for twice maxEntries at once, and anew (empty) only when the tuner raises maxEntries past them', () => {
    let maxEntries = 1_000;
    const cache = new ResponseCache(new ManualClock(), () => ({ maxEntries, ttlMs: 1_000 }));
    cache.remember(routed('a'), reply, MessageType.OFFER);
    expect(cache.ringSlots).toBe(2_048);
    maxEntries = 600; // shrunk: the slots stay, the entries too
    cache.remember(routed('b'), reply, MessageType.OFFER);
    expect([cache.ringSlots, cache.stats().entries]).toEqual([2_048, 2]);
    maxEntries = 5_000;
    cache.remember(routed('c'), reply, MessageType.OFFER);
    expect([cache.ringSlots, cache.stats().entries, cache.indexedClients]).toEqual([16_384, 1, 1]);
    expect(cache.lookup(routed('a'))).toBeUndefined();
    expect(cache.lookup(routed('c'))?.reply).toEqual(reply);
  });

  it('grows its ring while every entry is live, answering each, and clear() forgets them all', () => {
    const cache = new ResponseCache(new ManualClock(), () => ({ maxEntries: 5_000, ttlMs: 1_000 }));
    for (let i = 0; i < 3_000; i++) cache.remember(routed(`c${i}`), { ...reply, data: Buffer.alloc(10, i % 256) }, MessageType.OFFER);
    expect(cache.stats().entries).toBe(3_000);
    for (const i of [0, 255, 256, 1_999, 2_999]) expect([...cache.lookup(routed(`c${i}`))!.reply.data]).toEqual(Array(10).fill(i % 256));
    cache.clear();
    expect(cache.stats().entries).toBe(0);
    expect(cache.lookup(routed('c0'))).toBeUndefined();
    cache.remember(routed('c0'), reply, MessageType.OFFER);
    expect(cache.lookup(routed('c0'))?.reply).toEqual(reply);
  });
  it('lets no client outlive its entry in the index: across growth, replaced and forgotten entries, expiry and clear()', () => {
    const clock = new ManualClock();
    const cache = new ResponseCache(clock, () => ({ maxEntries: 5_000, ttlMs: 1_000 }));
    for (let i = 0; i < 3_000; i++) {
      cache.remember(routed(`c${i}`), reply, MessageType.OFFER);
      if (i % 3 === 0) cache.remember(routed(`c${i}`), reply, MessageType.ACK);
      if (i % 7 === 0) cache.forget(`c${i}`);
    }
    // Forgotten clients stay indexed (dead) until their slot leaves the ring or a resize drops it.
    expect(cache.indexedClients).toBeGreaterThanOrEqual(cache.stats().entries);
    expect(cache.indexedClients).toBeLessThanOrEqual(3_000);
    clock.advance(1_000);
    cache.remember(routed('late'), reply, MessageType.OFFER);
    expect(cache.indexedClients).toBe(1);
    expect(cache.lookup(routed('late'))?.reply).toEqual(reply);
    cache.clear();
    expect(cache.indexedClients).toBe(0);
  });

  it('keeps the bytes in one ring, reused as entries leave: exact replies across many wrap-arounds, no growth', () => {
    const clock = new ManualClock();
    const cache = new ResponseCache(clock, () => ({ maxEntries: 50, ttlMs: 1_000 }));
    const sized = (i: number) => {
      const r = routed(`w${i}`);
      return { ...r, inbound: { ...r.inbound, data: Buffer.alloc(300 + ((i * 37) % 900), i % 251) } };
    };
    const replyOf = (i: number) => ({ ...reply, data: Buffer.alloc(200 + ((i * 53) % 1_200), (i * 7) % 251) });
    for (let i = 0; i < 5_000; i++) {
      cache.remember(sized(i), replyOf(i), MessageType.OFFER);
      if (i % 97 === 0) cache.forget(`w${i - 3}`);
      clock.advance(0.01);
      if (i >= 10 && i % 10 === 0) expect(cache.lookup(sized(i - 1))!.reply.data.equals(replyOf(i - 1).data)).toBe(true);
    }
    expect(cache.ringBytes).toBe(256 * 1024); // 50 entries of < 2.5 KB never fill it
    for (let i = 4_960; i < 5_000; i++) expect(cache.lookup(sized(i))!.reply.data.equals(replyOf(i).data)).toBe(true);
  });

  it('grows the ring while every entry is live, and keeps no entry larger than 16 KiB', () => {
    const cache = new ResponseCache(new ManualClock(), () => ({ maxEntries: 1_000, ttlMs: 1_000 }));
    const big = (i: number) => ({ ...reply, data: Buffer.alloc(8_000, i) });
    for (let i = 0; i < 100; i++) cache.remember(routed(`g${i}`), big(i), MessageType.OFFER); // 100 x 8.3 KB
    expect(cache.ringBytes).toBeGreaterThan(256 * 1024);
    for (const i of [0, 31, 32, 99]) expect(cache.lookup(routed(`g${i}`))!.reply.data.equals(big(i).data)).toBe(true);
    cache.remember(routed('huge'), { ...reply, data: Buffer.alloc(17_000) }, MessageType.OFFER);
    expect(cache.lookup(routed('huge'))).toBeUndefined();
    expect(cache.stats().entries).toBe(100);
  });
});
