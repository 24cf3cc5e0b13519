// Overload control at the socket: for a short interval after the socket's full queue dropped at its tail, DISCOVERs
// that waited past the target are dropped unread at the head, counted and logged aggregated; REQUESTs are always
// served, and a long queue that is not full sheds nothing.
import { describe, expect, it } from 'vitest';
import { encode } from '../../../src/codec/index.js';
import { MessageType } from '../../../src/codec/types.js';
import { peekMessageType } from '../../../src/net/message-type.js';
import { RX_DROPS_AT, RX_LANE_DROPS_AT, RX_WAITS_AT } from '../../../src/net/native-binding.js';
import { createNativeTransport } from '../../../src/net/native-transport.js';
import { DEFAULT_INTERVAL_MS, OverflowShedding } from '../../../src/net/overflow-shedding.js';
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

describe('OverflowShedding', () => {
  function shedding() {
    let t = 0;
    const s = new OverflowShedding({ now: () => t, targetMs: 100, intervalMs: 200 });
    return { s, advance: (ms: number) => (t += ms) };
  }

  it('a queue that never overflows sheds nothing, however long its requests waited', () => {
    const { s, advance } = shedding();
    for (let i = 0; i < 20; i++, advance(100)) expect(s.sheddable(800_000, 7)).toBe(false);
    expect(s.isOverflowing).toBe(false);
  });

  it('once the kernel drops at the queue\'s tail, waits past the target are sheddable, shorter ones not', () => {
    const { s } = shedding();
    s.sheddable(150_000, 7);
    expect(s.sheddable(150_000, 9)).toBe(true); // the counter moved: the queue overflowed
    expect(s.sheddable(90_000, 9)).toBe(false);
    expect(s.isOverflowing).toBe(true);
  });

  it('stops an interval after the kernel\'s last drop, shedding or not (a backlog overflowed once is still answered)', () => {
    const { s, advance } = shedding();
    s.sheddable(0, 0);
    s.sheddable(0, 1);
    advance(150);
    expect(s.sheddable(150_000, 1)).toBe(true);
    advance(100);
    expect(s.sheddable(150_000, 1)).toBe(false); // 250 ms after the drop, though it shed 100 ms ago
    expect(s.isOverflowing).toBe(false);
    expect(s.sheddable(150_000, 3)).toBe(true); // it overflows again
  });

  it('follows the kernel\'s counter through its wrap', () => {
    const { s } = shedding();
    s.sheddable(0, 2_147_483_647);
    expect(s.sheddable(150_000, -2_147_483_648)).toBe(true);
  });
});

describe('the native transport while its queue overflows', () => {
  function setup(overload?: { discoverWaitMs: number; overflowWindowMs: number }) {
    let t = 0;
    const binding = fakeBinding();
    let meta: Int32Array | undefined;
    const open = binding.udpOpenFlat!;
    binding.udpOpenFlat = (address, port, max, slots, m, cb) => ((meta = m), open(address, port, max, slots, m, cb));
    const logger = recordingLogger();
    const discover = () => ({ found: [ETH1], missing: [], localAddresses: ['198.51.100.1'] });
    const transport = createNativeTransport({ port: 67, interfaces: ['adn-s1'], logger, binding, discover, now: () => t, ...(overload ? { overload } : {}) });
    const seen: MessageType[] = [];
    transport.inbound$.subscribe((d: Inbound) => seen.push(peekMessageType(d.data, 0, d.data.length)));
    /**
     * One recvmmsg batch of these types, each having waited `waitedMs` in the socket's queue, `drops` the main queue's
     * count and `laneDrops` the DISCOVER lane's.
     */
    const receive = (types: MessageType[], waitedMs: number, drops = 0, laneDrops = 0) => {
      types.forEach((_, i) => (meta![RX_WAITS_AT + i] = waitedMs * 1000));
      meta![RX_DROPS_AT] = drops;
      meta![RX_LANE_DROPS_AT] = laneDrops;
      binding.receive(0, types.map((type) => ({ data: datagram(type), address: '198.18.0.9', port: 67, ifindex: 11, localAddress: '198.51.100.1' })));
    };
    return { transport, logger, seen, receive, advance: (ms: number) => (t += ms) };
  }

  it('drops DISCOVERs that waited too long unread once the queue overflows, serves every REQUEST, counts and logs once per 10 s', () => {
    const { transport, logger, seen, receive, advance } = setup();
    const mix = [MessageType.DISCOVER, MessageType.REQUEST, MessageType.DISCOVER];
    for (let i = 0; i < 4; i++, advance(100)) receive(mix, 300); // a long queue, not full: all served
    expect(seen).toHaveLength(12);
    seen.length = 0;
    receive(mix, 300, 5); // the kernel dropped at its tail
    receive(mix, 20, 5); // fresh DISCOVERs still served
    advance(DEFAULT_INTERVAL_MS / 2);
    receive(mix, 300, 5); // still shedding: within the interval after the drop
    expect(seen).toEqual([MessageType.REQUEST, ...mix, MessageType.REQUEST]);
    expect(transport.stats()).toMatchObject({ shedStale: 4, received: 17, receiveQueueDrops: 5 });
    // What adaptive tuning reads: read, and lost to the full queue (the kernel's drops and those shed).
    expect(transport.receiveLoad?.()).toEqual({ received: 17, lost: 9 });
    const lines = logger.lines.filter((l) => l.obj.evt === 'net.shed_stale');
    expect(lines.map((l) => [l.level, l.obj.shed, l.obj.shedTotal])).toEqual([['warn', 1, 1]]);
    advance(10_000);
    receive(mix, 300, 5); // an interval without a drop: over
    expect(transport.stats().shedStale).toBe(4);
    receive(mix, 300, 6);
    expect(logger.lines.filter((l) => l.obj.evt === 'net.shed_stale').map((l) => [l.obj.shed, l.obj.shedTotal])).toEqual([[1, 1], [4, 5]]);
  });

  it('takes its wait target and interval from listen.overload', () => {
    const { transport, seen, receive, advance } = setup({ discoverWaitMs: 10, overflowWindowMs: 50 });
    receive([MessageType.DISCOVER], 0, 1);
    receive([MessageType.DISCOVER, MessageType.REQUEST], 30, 2); // past 10 ms while overflowing: shed
    receive([MessageType.DISCOVER], 5, 2); // within the target: served
    expect(transport.stats().shedStale).toBe(1);
    advance(60);
    receive([MessageType.DISCOVER], 300, 2); // 60 ms after the last drop: the interval is over
    expect(transport.stats().shedStale).toBe(1);
    expect(seen).toEqual([MessageType.DISCOVER, MessageType.REQUEST, MessageType.DISCOVER, MessageType.DISCOVER]);
  });

  it('sheds as well while the DISCOVER lane overflows, and counts the lane\'s drops apart from the main queue\'s', () => {
    const { transport, seen, receive } = setup();
    receive([MessageType.DISCOVER], 300, 0, 0);
    receive([MessageType.DISCOVER, MessageType.REQUEST], 300, 0, 7); // the lane dropped: stale DISCOVERs shed
    expect(seen).toEqual([MessageType.DISCOVER, MessageType.REQUEST]);
    expect(transport.stats()).toMatchObject({ shedStale: 1, receiveQueueDrops: 0, discoverLaneDrops: 7 });
    expect(transport.receiveLoad?.()).toEqual({ received: 2, lost: 8 });
  });

  it('without waits from the addon (one built before them), nothing is shed', () => {
    const { transport, seen, receive, advance } = setup();
    for (let i = 0; i < 10; i++, advance(50)) receive([MessageType.DISCOVER], 0, i);
    expect(seen).toHaveLength(10);
    expect(transport.stats().shedStale).toBe(0);
  });
});
