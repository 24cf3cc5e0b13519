// Overload control at the socket: while the receive queue stands (every request of an interval waited past the
// target), DISCOVERs that waited past it are dropped unread, counted and logged aggregated; REQUESTs are always
// served, and a burst that drains within an interval sheds nothing.
import { describe, expect, it } from 'vitest';
import { encode } from '../../../src/codec/index.js';
import { MessageType } from '../../../src/codec/types.js';
import { peekMessageType } from '../../../src/net/message-type.js';
import { RX_WAITS_AT } from '../../../src/net/native-binding.js';
import { createNativeTransport } from '../../../src/net/native-transport.js';
import { DEFAULT_INTERVAL_MS, StandingQueue } from '../../../src/net/standing-queue.js';
import type { Inbound } from '../../../src/net/types.js';
import { clientMessage } from '../../helpers/test-client.js';
import { ETH1, fakeBinding, recordingLogger } from './helpers.js';

const relayed = { mac: '02:00:00:00:00:01', giaddr: '198.18.0.9' };
const datagram = (type: MessageType): Buffer => encode(clientMessage(relayed, type));

describe('peekMessageType', () => {
  it('reads option 53 wherever it is among the options, without decoding', () => {
    const late = { ...clientMessage(relayed, MessageType.REQUEST), options: [{ code: 12, data: Buffer.from('host') }, { code: 53, data: Buffer.from([MessageType.REQUEST]) }] };
    const bytes = Buffer.concat([Buffer.from('prefix'), encode(late)]);
    expect(peekMessageType(bytes, 6, bytes.length - 6)).toBe(MessageType.REQUEST);
    const discover = datagram(MessageType.DISCOVER);
    expect(peekMessageType(discover, 0, discover.length)).toBe(MessageType.DISCOVER);
  });

  it('says 0 for what is not a well-formed DHCP message: too short, no cookie, no option 53, options cut short', () => {
    const discover = datagram(MessageType.DISCOVER);
    expect(peekMessageType(discover, 0, 200)).toBe(0);
    const noCookie = Buffer.from(discover);
    noCookie[236] = 0;
    expect(peekMessageType(noCookie, 0, noCookie.length)).toBe(0);
    const without = encode({ ...clientMessage(relayed, MessageType.DISCOVER), options: [{ code: 12, data: Buffer.from('h') }] });
    expect(peekMessageType(without, 0, without.length)).toBe(0);
    expect(peekMessageType(discover, 0, 241)).toBe(0); // the length byte of option 53 is past the end
    expect(peekMessageType(Buffer.alloc(400), 0, 400)).toBe(0);
  });
});

describe('StandingQueue', () => {
  function queue() {
    let t = 0;
    const q = new StandingQueue({ now: () => t, targetMs: 100, intervalMs: 200 });
    return { q, advance: (ms: number) => (t += ms) };
  }

  it('a burst that drains within an interval sheds nothing, however long its first requests waited', () => {
    const { q, advance } = queue();
    for (const waited of [300_000, 250_000, 150_000, 20_000, 1_000]) {
      expect(q.sheddable(waited)).toBe(false);
      advance(40);
    }
    advance(200);
    expect(q.sheddable(1_000)).toBe(false);
    expect(q.isStanding).toBe(false);
  });

  it('a queue where every wait of an interval passed the target stands: waits past it are sheddable, shorter ones not', () => {
    const { q, advance } = queue();
    for (let i = 0; i < 5; i++, advance(50)) q.sheddable(150_000);
    expect(q.isStanding).toBe(true);
    expect(q.sheddable(150_000)).toBe(true);
    expect(q.sheddable(90_000)).toBe(false);
  });

  it('stays standing while it sheds, and stands down after an interval with nothing to shed', () => {
    const { q, advance } = queue();
    for (let i = 0; i < 5; i++, advance(50)) q.sheddable(150_000);
    // Shedding drained it: the interval's shortest wait is short, yet it shed, so the queue still stands after it.
    expect(q.sheddable(150_000)).toBe(true);
    q.shed();
    q.sheddable(1_000);
    advance(200);
    expect(q.sheddable(1_000)).toBe(false);
    expect(q.isStanding).toBe(true);
    advance(200);
    q.sheddable(1_000);
    expect(q.isStanding).toBe(false);
    expect(q.sheddable(150_000)).toBe(false);
  });
});

describe('the native transport under a standing queue', () => {
  function setup() {
    let t = 0;
    const binding = fakeBinding();
    let meta: Int32Array | undefined;
    const open = binding.udpOpenFlat!;
    binding.udpOpenFlat = (address, port, max, slots, m, cb) => ((meta = m), open(address, port, max, slots, m, cb));
    const logger = recordingLogger();
    const discover = () => ({ found: [ETH1], missing: [], localAddresses: ['198.51.100.1'] });
    const transport = createNativeTransport({ port: 67, interfaces: ['adn-s1'], logger, binding, discover, now: () => t });
    const seen: MessageType[] = [];
    transport.inbound$.subscribe((d: Inbound) => seen.push(peekMessageType(d.data, 0, d.data.length)));
    /** One recvmmsg batch of these types, each having waited `waitedMs` in the socket's queue. */
    const receive = (types: MessageType[], waitedMs: number) => {
      types.forEach((_, i) => (meta![RX_WAITS_AT + i] = waitedMs * 1000));
      binding.receive(0, types.map((type) => ({ data: datagram(type), address: '198.18.0.9', port: 67, ifindex: 11, localAddress: '198.51.100.1' })));
    };
    return { transport, logger, seen, receive, advance: (ms: number) => (t += ms) };
  }

  it('drops DISCOVERs that waited too long unread, serves every REQUEST, counts them and logs once per 10 s', () => {
    const { transport, logger, seen, receive, advance } = setup();
    const mix = [MessageType.DISCOVER, MessageType.REQUEST, MessageType.DISCOVER];
    for (let i = 0; i < 4; i++, advance(DEFAULT_INTERVAL_MS / 4)) receive(mix, 300); // an interval of waits all past the target
    expect(transport.stats().shedStale).toBe(0);
    expect(seen).toHaveLength(12);
    seen.length = 0;
    receive(mix, 300);
    receive(mix, 20); // fresh DISCOVERs still served
    advance(DEFAULT_INTERVAL_MS);
    receive(mix, 300);
    expect(seen).toEqual([MessageType.REQUEST, ...mix, MessageType.REQUEST]);
    expect(transport.stats()).toMatchObject({ shedStale: 4, received: 17 });
    const lines = logger.lines.filter((l) => l.obj.evt === 'net.shed_stale');
    expect(lines.map((l) => [l.level, l.obj.shed, l.obj.shedTotal])).toEqual([['warn', 1, 1]]);
    advance(10_000);
    receive(mix, 300);
    expect(logger.lines.filter((l) => l.obj.evt === 'net.shed_stale').map((l) => [l.obj.shed, l.obj.shedTotal])).toEqual([[1, 1], [4, 5]]);
  });

  it('without waits from the addon (one built before them), nothing is shed', () => {
    const { transport, seen, receive, advance } = setup();
    for (let i = 0; i < 10; i++, advance(50)) receive([MessageType.DISCOVER], 0);
    expect(seen).toHaveLength(10);
    expect(transport.stats().shedStale).toBe(0);
  });
});
