// Each security stage through the whole in-process server (real codec, router, lease book, memory store): what it
// rejects, with which reason, counted per stage and reason, kept in the ring and logged aggregated.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { encode } from '../../../src/codec/index.js';
import { MessageType, type DhcpMessage } from '../../../src/codec/types.js';
import { TokenBuckets } from '../../../src/security/token-buckets.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { clientMessage } from '../../helpers/test-client.js';
import { LAB_CONFIG, SERVER_ID, replyType } from '../../helpers/test-server.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/test-daemon.js';

const IFACE = { name: 'lab0', index: 2, mac: '02:00:5e:00:00:01', addresses: [{ address: '198.51.100.1', prefixLength: 24 }] };
const agent = (circuit: string): DhcpMessage['options'][number] => ({ code: 82, data: Buffer.from([1, circuit.length, ...Buffer.from(circuit)]) });
const mac = (i: number) => `02:00:5e:40:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;

describe('security stages', () => {
  const servers: TestDaemon[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.app.stop();
  });

  async function server(security: unknown, extra: object = {}): Promise<TestDaemon> {
    const s = startTestDaemon({ captureLogs: true, relayedOnLab0: true, store: await openMemoryStore(), wire: { ...LAB_CONFIG, conflictCheck: { enabled: false }, ...extra, security } });
    servers.push(s);
    await s.app.ready;
    return s;
  }
  const rejected = (s: TestDaemon) => s.app.securityEvents().map((e) => `${e.stage}/${e.reason}`);
  const offered = async (s: TestDaemon, m: DhcpMessage) => {
    const r = await s.exchange(m, { waitMs: 40 });
    return r !== undefined && replyType(r.message) === MessageType.OFFER;
  };

  it('with nothing configured, only server-only messages are rejected (snooping is always on)', async () => {
    const s = await server({});
    expect(await offered(s, clientMessage({ mac: mac(1) }, MessageType.DISCOVER))).toBe(true);
    expect(await offered(s, clientMessage({ mac: mac(2), giaddr: '203.0.113.1' }, MessageType.DISCOVER))).toBe(true);
    expect(await offered(s, { ...clientMessage({ mac: mac(3) }, MessageType.OFFER) })).toBe(false);
    expect(rejected(s)).toEqual(['snooping/server-message']);
    // A BOOTREPLY heard on port 67: dropped by the codec, reported by snooping.
    const reply = encode({ ...clientMessage({ mac: mac(4) }, MessageType.DISCOVER), op: 2 });
    s.link.inbound$.next({ data: reply, from: { address: '198.51.100.66', port: 67 }, iface: IFACE, receivedAt: s.clock.now() });
    expect(rejected(s)[0]).toBe('snooping/bootreply-on-server-port');
    expect(s.app.statistics().security).toEqual({ snooping: { 'server-message': 1, 'bootreply-on-server-port': 1 } });
  });

  it('snooping: an untrusted interface drops a giaddr or option 82; relayAllow limits relays', async () => {
    const s = await server({ interfaces: { lab0: { trust: { untrusted: true } } }, trust: { relayAllow: ['198.18.0.0/15'] } });
    expect(await offered(s, clientMessage({ mac: mac(1), giaddr: '203.0.113.1' }, MessageType.DISCOVER))).toBe(false);
    expect(await offered(s, clientMessage({ mac: mac(2) }, MessageType.DISCOVER, { extra: [agent('p1')] }))).toBe(false);
    expect(await offered(s, clientMessage({ mac: mac(3) }, MessageType.DISCOVER))).toBe(true);
    expect(rejected(s)).toEqual(['snooping/option82-on-untrusted', 'snooping/giaddr-on-untrusted']);
    expect(s.app.securityEvents(1)[0]).toMatchObject({ stage: 'snooping', client: expect.stringContaining(mac(2).slice(-5)), iface: 'lab0' });
    const relays = await server({ trust: { relayAllow: ['198.18.0.0/15'] } });
    expect(await offered(relays, clientMessage({ mac: mac(4), giaddr: '203.0.113.1' }, MessageType.DISCOVER))).toBe(false);
    expect(rejected(relays)).toEqual(['snooping/relay-not-allowed']);
    expect(relays.app.securityEvents(1)[0]).toMatchObject({ giaddr: '203.0.113.1' });
  });

  it('MAC filter: deny by OUI, allow list, known clients only (per subnet)', async () => {
    const s = await server({
      macFilter: { deny: ['02:00:5e:66'] },
      subnets: { '198.51.100.0/24': { macFilter: { knownClientsOnly: true } } },
    });
    expect(await offered(s, clientMessage({ mac: '02:00:5e:10:00:10' }, MessageType.DISCOVER))).toBe(true); // reserved
    expect(await offered(s, clientMessage({ mac: mac(1) }, MessageType.DISCOVER))).toBe(false);
    // The relayed subnet has no subnet scope: the global deny list applies there.
    expect(await offered(s, clientMessage({ mac: '02:00:5e:66:00:01', giaddr: '203.0.113.1' }, MessageType.DISCOVER))).toBe(false);
    expect(await offered(s, clientMessage({ mac: mac(2), giaddr: '203.0.113.1' }, MessageType.DISCOVER))).toBe(true);
    expect(rejected(s)).toEqual(['mac-filter/denied', 'mac-filter/unknown-client']);
  });

  it('IP filter: giaddr deny and ciaddr allow', async () => {
    const s = await server({ ipFilter: { giaddr: { deny: ['203.0.113.0/25'] }, ciaddr: { allow: ['198.51.100.0/24'] } } });
    expect(await offered(s, clientMessage({ mac: mac(1), giaddr: '203.0.113.1' }, MessageType.DISCOVER))).toBe(false);
    expect(await offered(s, clientMessage({ mac: mac(2), giaddr: '203.0.113.129' }, MessageType.DISCOVER))).toBe(true);
    await s.exchange(clientMessage({ mac: mac(3) }, MessageType.INFORM, { ciaddr: '192.0.2.7' }), { waitMs: 40 });
    expect(rejected(s)).toEqual(['ip-filter/ciaddr-not-allowed', 'ip-filter/giaddr-denied']);
  });

  it('rate limit: a client bucket, then the global one; logged aggregated with DHCPD_ERR_SECURITY_REJECTED', async () => {
    const s = await server({ rateLimit: { client: { perSecond: 1, burst: 2 }, global: { perSecond: 1, burst: 5 } } });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await offered(s, clientMessage({ mac: mac(1) }, MessageType.DISCOVER, { xid: 100 + i })));
    expect(answers).toEqual([true, true, false, false]);
    for (let i = 2; i < 6; i++) answers.push(await offered(s, clientMessage({ mac: mac(i) }, MessageType.DISCOVER)));
    expect(answers.slice(4)).toEqual([true, true, true, false]); // global: 5 tokens, the client's two and three more
    s.clock.advance(2_000); // tokens come back
    expect(await offered(s, clientMessage({ mac: mac(9) }, MessageType.DISCOVER))).toBe(true);
    expect(s.app.statistics().security).toEqual({ 'rate-limit': { 'client-rate': 2, 'global-rate': 1 } });
    s.clock.advance(10_000);
    const lines = s.logs.filter((l) => l.evt === 'security.rejected');
    expect(lines).toMatchObject([
      { reason: 'rate-limit/client-rate', count: 1, err: { code: 'DHCPD_ERR_SECURITY_REJECTED' } },
      { reason: 'rate-limit/global-rate', count: 1 },
      { reason: 'rate-limit/client-rate', count: 1 },
    ]);
    expect(s.app.statistics().counters.errors!['security']).toBe(3);
  });

  it('starvation guard: new leases per minute per interface, and active leases per circuit-id; holders keep renewing', async () => {
    const s = await server({ rateLimit: { maxNewLeasesPerMinutePerInterface: 2, maxActiveLeasesPerCircuitId: 1 } });
    const bind = async (m: string, extra: DhcpMessage['options'] = [], giaddr?: string) => {
      const client = giaddr ? { mac: m, giaddr } : { mac: m };
      const offer = await s.exchange(clientMessage(client, MessageType.DISCOVER, { extra }), { waitMs: 40 });
      if (offer === undefined) return undefined;
      const ack = await s.exchange(clientMessage(client, MessageType.REQUEST, { requested: offer.message.yiaddr, serverId: SERVER_ID, extra }), { waitMs: 40 });
      return ack && replyType(ack.message) === MessageType.ACK ? ack.message.yiaddr : undefined;
    };
    const first = await bind(mac(1));
    expect(first).toBeDefined();
    expect(await bind(mac(2))).toBeDefined();
    expect(await bind(mac(3))).toBeUndefined();
    expect(await bind(mac(1))).toBe(first); // a client with a lease is never held back
    s.clock.advance(30_000); // one lease's worth of tokens back
    expect(await bind(mac(3))).toBeDefined();
    // Relayed: one active lease per circuit-id.
    expect(await bind(mac(10), [agent('port-7')], '203.0.113.1')).toBeDefined();
    expect(await bind(mac(11), [agent('port-7')], '203.0.113.1')).toBeUndefined();
    expect(await bind(mac(12), [agent('port-8')], '203.0.113.1')).toBeDefined();
    expect(s.app.statistics().security['rate-limit']).toEqual({ 'interface-new-lease-rate': 1, 'circuit-id-lease-limit': 1 });
  });

  it('starvation guard: clients holding only an offer, whose REQUESTs all arrive before the first ACK, get no more than the limit', async () => {
    const s = await server({ rateLimit: { maxActiveLeasesPerCircuitId: 2 } });
    const extra = [agent('port-9')];
    const clients = [20, 21, 22, 23, 24].map((i) => ({ mac: mac(i), giaddr: '203.0.113.1' }));
    const offers: Awaited<ReturnType<TestDaemon['exchange']>>[] = [];
    for (const client of clients) offers.push(await s.exchange(clientMessage(client, MessageType.DISCOVER, { extra }), { waitMs: 40 }));
    expect(offers.every((o) => o !== undefined)).toBe(true);
    const before = s.link.sent.length;
    clients.forEach((client, i) => s.link.inbound$.next({
      data: encode(clientMessage(client, MessageType.REQUEST, { requested: offers[i]!.message.yiaddr, serverId: SERVER_ID, extra })),
      from: { address: '203.0.113.1', port: 67 }, receivedAt: s.clock.now(),
    }));
    await new Promise((r) => setTimeout(r, 50));
    const acks = s.link.sent.slice(before).filter((m) => replyType(m.message) === MessageType.ACK);
    expect(acks).toHaveLength(2);
    expect(s.app.statistics().security['rate-limit']).toEqual({ 'circuit-id-lease-limit': 3 });
  });

  it('authentication required per subnet: accepted, replayed, tampered, unknown key, missing', async () => {
    const vectors = JSON.parse(readFileSync(new URL('../../fixtures/security/rfc3118-vectors.json', import.meta.url), 'utf8')) as { key: string; secretId: number; packet: string }[];
    const v = vectors[0]!;
    const s = await server({
      authKeys: [{ id: v.secretId, secret: v.key }],
      subnets: { '198.51.100.0/24': { auth: { mode: 'required' } } },
    });
    const send = (data: Buffer) => s.link.inbound$.next({ data, from: { address: '0.0.0.0', port: 68 }, iface: IFACE, broadcast: true, receivedAt: s.clock.now() });
    const packet = Buffer.from(v.packet, 'hex');
    send(packet);
    await new Promise((r) => setTimeout(r, 20));
    expect(rejected(s)).toEqual([]);
    send(packet); // the same replay counter again
    const tampered = Buffer.from(packet);
    tampered[4] = tampered[4]! ^ 1; // xid
    send(tampered);
    const unknown = Buffer.from(packet);
    unknown.writeUInt32BE(99, unknown.indexOf(Buffer.from([90, 31])) + 2 + 11);
    send(unknown);
    expect(await offered(s, clientMessage({ mac: mac(1) }, MessageType.DISCOVER))).toBe(false);
    expect(await offered(s, clientMessage({ mac: mac(2), giaddr: '203.0.113.1' }, MessageType.DISCOVER))).toBe(true); // auth off there
    expect(rejected(s).reverse()).toEqual(['auth/replayed', 'auth/bad-mac', 'auth/unknown-key', 'auth/missing']);
  });

  it('keeps the most recent events in a bounded ring, newest first', async () => {
    const s = await server({ macFilter: { deny: ['02:00:5e:40'] }, eventRing: 3 });
    for (let i = 0; i < 10; i++) await offered(s, clientMessage({ mac: mac(i) }, MessageType.DISCOVER));
    const events = s.app.securityEvents();
    expect(events).toHaveLength(3);
    expect(events.map((e) => e.detail?.['type'])).toEqual(['DISCOVER', 'DISCOVER', 'DISCOVER']);
    expect(events[0]!.client).toContain('09');
    expect(s.app.securityEvents(1)).toHaveLength(1);
    expect(s.app.statistics().security['mac-filter']!['denied']).toBe(10);
  });
});

describe('TokenBuckets', () => {
  it('keeps at most maxBuckets and forgets idle ones (a forgotten bucket is full again)', () => {
    const buckets = new TokenBuckets(() => ({ maxBuckets: 100, idleMs: 1_000 }));
    const rate = { perSecond: 1, burst: 1 };
    for (let i = 0; i < 10_000; i++) buckets.take(`client:${i}`, rate, 0);
    expect(buckets.size).toBe(100);
    expect(buckets.take('client:9999', rate, 0)).toBe(false);
    buckets.take('other', rate, 5_000);
    expect(buckets.size).toBe(1);
  });
});
