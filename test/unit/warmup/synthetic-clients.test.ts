// The warm-up's clients write requests the daemon's codec reads as real ones, in the three ways requests arrive, and
// move on with the replies they get: OFFER → REQUEST, ACK → done (some renew, some release), then come back.
import { describe, expect, it } from 'vitest';
import { decode, encode, getIpOption, relayAgentSubOptions, type DhcpMessage } from '../../../src/codec/index.js';
import { BOOTREPLY, MessageType } from '../../../src/codec/types.js';
import { RX_DROPS_AT, RX_META_FIELDS, RX_SLOTS, RX_SLOT_SIZE, RX_WAITS_AT } from '../../../src/net/native-binding.js';
import { SyntheticClients, WARMUP_RELAY, WARMUP_SERVER } from '../../../src/warmup/synthetic-clients.js';

/** The client's number: the xid's low 24 bits (the high byte counts its transactions). */
const clientOf = (xid: number): number => xid & 0xffffff;
const isDiscover = (r: { message: DhcpMessage }): boolean => r.message.options.find((o) => o.code === 53)?.data[0] === MessageType.DISCOVER;

const ip = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

function buffers() {
  return { slots: Buffer.alloc(RX_SLOTS * RX_SLOT_SIZE), meta: new Int32Array(RX_DROPS_AT + 1) };
}

/** The batch's requests, decoded, with their meta rows. */
function read(b: ReturnType<typeof buffers>, count: number) {
  return Array.from({ length: count }, (_, i) => {
    const row = b.meta.subarray(i * RX_META_FIELDS, (i + 1) * RX_META_FIELDS);
    const decoded = decode(b.slots.subarray(row[0], row[0]! + row[1]!));
    if (!decoded.ok) throw new Error(`request ${i} does not decode: ${decoded.error.message}`);
    return { message: decoded.msg, from: ip(row[2]! >>> 0), port: row[3], ifindex: row[4], to: ip(row[5]! >>> 0), waitedUs: b.meta[RX_WAITS_AT + i] };
  });
}

function reply(request: DhcpMessage, type: MessageType, yiaddr: string): Buffer {
  return encode({ ...request, op: BOOTREPLY, yiaddr, options: [{ code: 53, data: Buffer.from([type]) }, { code: 54, data: Buffer.from([198, 18, 0, 1]) }] });
}

describe('SyntheticClients', () => {
  it('writes DISCOVERs relayed by unicast, relayed by broadcast and broadcast by a client on the link', () => {
    const b = buffers();
    const clients = new SyntheticClients(3, 64, 1);
    expect(clients.fill(b.slots, b.meta, RX_SLOTS, 0, 0, 5)).toBe(3);
    expect(b.meta[RX_DROPS_AT]).toBe(5);
    const [relayed, linkRelayed, direct] = read(b, 3);
    expect(relayed!.message.options.find((o) => o.code === 53)?.data[0]).toBe(MessageType.DISCOVER);
    expect([relayed!.message.giaddr, relayed!.message.hops, relayed!.from, relayed!.port, relayed!.to]).toEqual([WARMUP_RELAY, 1, WARMUP_RELAY, 67, WARMUP_SERVER]);
    expect(relayAgentSubOptions(relayed!.message)?.map((s) => s.code)).toEqual([1, 2]);
    expect([linkRelayed!.message.giaddr, linkRelayed!.from, linkRelayed!.to]).toEqual([WARMUP_RELAY, '198.18.0.2', '255.255.255.255']);
    expect([direct!.message.giaddr, direct!.message.hops, direct!.from, direct!.port, direct!.to]).toEqual(['0.0.0.0', 0, '0.0.0.0', 68, '255.255.255.255']);
    // Each client its own MAC; every other one a client identifier too.
    expect(new Set([relayed, linkRelayed, direct].map((r) => r!.message.chaddr.subarray(0, 6).toString('hex'))).size).toBe(3);
    expect([relayed, linkRelayed].map((r) => r!.message.options.some((o) => o.code === 61))).toEqual([true, false]);
  });

  it('answers an OFFER with a REQUEST for the offered address, and is done at the ACK', () => {
    const b = buffers();
    const clients = new SyntheticClients(1, 64, 1);
    clients.fill(b.slots, b.meta, RX_SLOTS, 0, 0, 0);
    const [discover] = read(b, 1);
    const offer = reply(discover!.message, MessageType.OFFER, '198.19.1.7');
    clients.replied(offer, 0, offer.length);
    expect(clients.fill(b.slots, b.meta, RX_SLOTS, 0, 0, 0)).toBe(1);
    const [request] = read(b, 1);
    expect(request!.message.xid).toBe(discover!.message.xid);
    expect(getIpOption(request!.message, 50)).toBe('198.19.1.7');
    expect(getIpOption(request!.message, 54)).toBe(WARMUP_SERVER);
    const ack = reply(request!.message, MessageType.ACK, '198.19.1.7');
    clients.replied(ack, 0, ack.length);
    expect(clients.stats()).toMatchObject({ offers: 1, acks: 1 });
    expect(clients.finished).toBe(true);
  });

  /** Fills a batch and answers it as a server would: OFFER to a DISCOVER, ACK to a REQUEST, nothing to a RELEASE. */
  function serve(clients: SyntheticClients, b: ReturnType<typeof buffers>) {
    const requests = read(b, clients.fill(b.slots, b.meta, RX_SLOTS, 0, 0, 0));
    for (const r of requests) {
      const type = r.message.options.find((o) => o.code === 53)!.data[0];
      if (type === MessageType.RELEASE) continue;
      const answer = reply(r.message, type === MessageType.DISCOVER ? MessageType.OFFER : MessageType.ACK, `198.18.1.${clientOf(r.message.xid)}`);
      clients.replied(answer, 0, answer.length);
    }
    return requests;
  }

  it('renews one bound client in eight by unicast from its address, then releases one in sixteen', () => {
    const b = buffers();
    const clients = new SyntheticClients(12, 64, 1);
    serve(clients, b); // DISCOVERs
    serve(clients, b); // REQUESTs (selecting), and a new DISCOVER from client 7, whose OFFER (the 8th) it left
    const renewals = serve(clients, b).filter((r) => r.message.ciaddr !== '0.0.0.0');
    expect(renewals.map((r) => r.message.xid)).toEqual([3, 11]);
    const renewal = renewals[0]!;
    expect([renewal.message.ciaddr, renewal.from, renewal.port, renewal.to]).toEqual(['198.18.1.3', '198.18.1.3', 68, WARMUP_SERVER]);
    expect(getIpOption(renewal.message, 50)).toBeUndefined();
    const [release] = serve(clients, b).filter((r) => r.message.ciaddr !== '0.0.0.0');
    expect(release!.message.xid).toBe(11);
    expect(release!.message.options.find((o) => o.code === 53)!.data[0]).toBe(MessageType.RELEASE);
    expect(release!.message.ciaddr).toBe('198.18.1.11');
    while (!clients.finished) serve(clients, b);
    expect(clients.stats()).toMatchObject({ offers: 13, restarted: 1, acks: 14, released: 1 });
  });

  it('keeps at most maxInFlight exchanges open, and makes clients × rounds starts in all', () => {
    const b = buffers();
    const waiting = new SyntheticClients(100, 10, 2);
    expect(waiting.fill(b.slots, b.meta, RX_SLOTS, 0, 0, 0)).toBe(10);
    expect(waiting.fill(b.slots, b.meta, RX_SLOTS, 0, 0, 0)).toBe(0); // nothing answered: nothing new
    const clients = new SyntheticClients(100, 10, 2);
    let discovers = 0;
    for (let i = 0; i < 1_000 && !clients.finished; i++) {
      const requests = serve(clients, b);
      const fresh = requests.filter((r) => r.message.options.find((o) => o.code === 53)!.data[0] === MessageType.DISCOVER).length;
      expect(fresh).toBeLessThanOrEqual(10);
      discovers += fresh;
    }
    expect(clients.finished).toBe(true);
    const { restarted, repeated } = clients.stats();
    expect(discovers).toBe(200 + restarted + repeated);
  });

  it('leaves one OFFER in eight untaken: every other such client starts over at once with a new xid, the others come back in a later round', () => {
    const b = buffers();
    const clients = new SyntheticClients(1, 64, 16);
    const xids: number[] = [];
    for (let i = 0; i < 100 && !clients.finished; i++) xids.push(...serve(clients, b).filter(isDiscover).map((r) => r.message.xid));
    expect(clients.finished).toBe(true);
    // The 8th OFFER left: a new DISCOVER under the next xid at once (the server still holds that offer), kept in the
    // rounds after it. The 16th left: the next round comes back with that xid, a retransmission to the server.
    const next = 1 << 24;
    expect(xids).toEqual([...Array<number>(8).fill(0), ...Array<number>(9).fill(next)]);
    expect(clients.stats()).toMatchObject({ offers: 17, ignored: 2, restarted: 1, acks: 15 });
  });

  it('has one client in 32 send its DISCOVER twice in one batch, and takes only the second one\'s OFFER', () => {
    const b = buffers();
    const clients = new SyntheticClients(14, 64, 1);
    const first = clients.fill(b.slots, b.meta, RX_SLOTS, 0, 0, 0);
    const requests = read(b, first);
    expect(first).toBe(15);
    const twice = requests.filter((r) => clientOf(r.message.xid) === 13);
    expect(twice.map((r) => r.message.xid)).toEqual([13, (1 << 24) | 13]);
    // The first one's OFFER is not its answer any more; the second's is.
    const stale = reply(twice[0]!.message, MessageType.OFFER, '198.18.1.13');
    clients.replied(stale, 0, stale.length);
    expect(clients.stats().offers).toBe(0);
    const offer = reply(twice[1]!.message, MessageType.OFFER, '198.18.1.13');
    clients.replied(offer, 0, offer.length);
    expect(clients.stats()).toMatchObject({ offers: 1, repeated: 1 });
    const [request] = read(b, clients.fill(b.slots, b.meta, RX_SLOTS, 0, 0, 0));
    expect([request!.message.xid, getIpOption(request!.message, 50)]).toEqual([(1 << 24) | 13, '198.18.1.13']);
  });

  it('refuses more clients than an xid can number', () => {
    expect(() => new SyntheticClients(2 ** 24 + 1, 64, 1)).toThrow(RangeError);
  });

  it('writes a stale DISCOVER as one that waited in an overflowing queue, and its client gives up on it', () => {
    const b = buffers();
    const clients = new SyntheticClients(4, 64, 1);
    expect(clients.fill(b.slots, b.meta, RX_SLOTS, 2, 1_000_000, 9)).toBe(4);
    expect(read(b, 4).map((r) => r.waitedUs)).toEqual([1_000_000, 0, 1_000_000, 0]);
    const [stale] = read(b, 1);
    const offer = reply(stale!.message, MessageType.OFFER, '198.19.1.9');
    clients.replied(offer, 0, offer.length);
    expect(clients.stats().offers).toBe(0);
  });
});
