import { firstValueFrom, toArray } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NetError } from '../../../src/errors.js';
import type { Discovery } from '../../../src/net/interfaces.js';
import { RX_LANE_DROPS_AT, RX_LANE_RECEIVED_AT } from '../../../src/net/native-binding.js';
import { createNativeTransport } from '../../../src/net/native-transport.js';
import type { Inbound, InterfaceInfo } from '../../../src/net/types.js';
import { datagram, ETH1, ETH2, fakeBinding, recordingLogger } from './helpers.js';

const ENETDOWN = -100;
const EPERM = -1;
const EMSGSIZE = -90;

function setupWith(opts: { interfaces?: InterfaceInfo[]; packetFd?: number; unlistedUnicast?: 'accept' | 'drop'; flat?: boolean } = {}) {
  const binding = fakeBinding({ flat: opts.flat ?? true });
  if (opts.packetFd !== undefined) binding.packetFd = opts.packetFd;
  const logger = recordingLogger();
  let live: InterfaceInfo[] = opts.interfaces ?? [ETH1, ETH2];
  const discover = vi.fn((names: readonly string[]): Discovery => ({
    found: live.filter((i) => names.includes(i.name)),
    missing: names.filter((n) => !live.some((i) => i.name === n)),
    // 198.18.0.1 sits on a transit link that is not listed (relayed traffic arrives there).
    localAddresses: [...live.flatMap((i) => i.addresses.map((a) => a.address)), '198.18.0.1'],
  }));
  const clock = { t: 1000 };
  const transport = createNativeTransport({ port: 67, interfaces: ['adn-s1', 'adn-s2'], logger, binding, discover, now: () => clock.t,
    ...(opts.unlistedUnicast !== undefined ? { unlistedUnicast: opts.unlistedUnicast } : {}),
  });
  const received: Inbound[] = [];
  transport.inbound$.subscribe((i) => received.push(i));
  return { binding, logger, discover, transport, received, clock, setLive: (l: InterfaceInfo[]) => (live = l) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe.each([
  ['udpOpenFlat: one buffer and one Int32Array per batch', true],
  ['an addon before udpOpenFlat: one object per datagram', false],
])('native transport: receive (%s)', (_name, flat) => {
  const setup = (opts: Parameters<typeof setupWith>[0] = {}) => setupWith({ ...opts, flat });

  it('reports the receiving interface, broadcast-ness and local address', () => {
    const { binding, received, transport } = setup();
    binding.receive(0, [datagram(11, '255.255.255.255'), datagram(12, '203.0.113.129'), datagram(12, '203.0.113.127')]);
    expect(received.map((r) => [r.iface?.name, r.broadcast, r.localAddress])).toEqual([
      ['adn-s1', true, '255.255.255.255'],
      ['adn-s2', false, '203.0.113.129'],
      ['adn-s2', true, '203.0.113.127'],
    ]);
    expect(received[0]).toMatchObject({ from: { address: '0.0.0.0', port: 68 }, receivedAt: 1000 });
    expect(transport.stats().received).toBe(3);
  });

  it('gives datagrams from one source one endpoint object (only read), and each other source its own', () => {
    const { binding, received } = setup();
    binding.receive(0, [datagram(11, '255.255.255.255'), datagram(11, '255.255.255.255'), datagram(12, '203.0.113.129', '203.0.113.7')]);
    binding.receive(0, [datagram(12, '203.0.113.129', '203.0.113.7'), datagram(11, '255.255.255.255')]);
    expect(received.map((r) => r.from)).toEqual([
      { address: '0.0.0.0', port: 68 }, { address: '0.0.0.0', port: 68 }, { address: '203.0.113.7', port: 68 },
      { address: '203.0.113.7', port: 68 }, { address: '0.0.0.0', port: 68 },
    ]);
    expect(received[1]!.from).toBe(received[0]!.from);
    expect(received[3]!.from).toBe(received[2]!.from);
  });

  it('drops and counts datagrams from interfaces not listed, and looks again for a recreated link', () => {
    const { binding, received, transport, discover, clock } = setup();
    binding.receive(0, [datagram(99, '255.255.255.255'), datagram(11, '255.255.255.255')]);
    expect(received.map((r) => r.iface?.name)).toEqual(['adn-s1']);
    expect(transport.stats()).toMatchObject({ received: 1, ignoredInterface: 1 });
    expect(discover).toHaveBeenCalledTimes(1); // start only: re-reads are rate-limited to one a second
    clock.t += 1_000;
    binding.receive(0, [datagram(99, '255.255.255.255')]);
    expect(discover).toHaveBeenCalledTimes(2);
    expect(transport.stats().ignoredInterface).toBe(2);
  });

  it('delivers unicasts to us from an unlisted interface (relayed traffic) without iface, unless told to drop them', () => {
    const accept = setup();
    accept.binding.receive(0, [datagram(30, '198.18.0.1', '198.18.0.2'), datagram(30, '198.18.255.255'), datagram(30, '255.255.255.255')]);
    expect(accept.received).toHaveLength(1);
    expect(accept.received[0]).toMatchObject({ from: { address: '198.18.0.2' }, broadcast: false, localAddress: '198.18.0.1' });
    expect(accept.received[0]?.iface).toBeUndefined();
    expect(accept.transport.stats()).toMatchObject({ received: 1, unlistedUnicast: 1, ignoredInterface: 2 });

    const drop = setup({ unlistedUnicast: 'drop' });
    drop.binding.receive(0, [datagram(30, '198.18.0.1', '198.18.0.2')]);
    expect(drop.received).toEqual([]);
    expect(drop.transport.stats()).toMatchObject({ received: 0, unlistedUnicast: 0, ignoredInterface: 1 });
  });

  it('counts receive errors without stopping the stream', () => {
    const { binding, received, transport, logger } = setup();
    binding.receive(-105, [datagram(11, '255.255.255.255')]);
    expect(received).toHaveLength(1);
    expect(transport.stats().receiveErrors).toBe(1);
    expect(logger.events()).toContain('net.receive_failed');
  });

  it('gives each datagram its own bytes, which outlive the batch', () => {
    const { binding, received } = setup();
    binding.receive(0, [
      // As the addon gives them: each datagram's buffer is the whole of its memory.
      { data: Buffer.from(new Uint8Array([1, 2, 3]).buffer), address: '0.0.0.0', port: 68, ifindex: 11, localAddress: '255.255.255.255' },
      { data: Buffer.from(new Uint8Array([4, 5]).buffer), address: '198.51.100.9', port: 67, ifindex: 11, localAddress: '198.51.100.1' },
    ]);
    // The fake addon overwrites its slots after the batch, as the next recvmmsg would: the bytes delivered stay.
    // With udpOpenFlat they are views of one exact-size buffer of the batch's own (not of the slots).
    expect(received.map((r) => [[...r.data], r.from])).toEqual([[[1, 2, 3], { address: '0.0.0.0', port: 68 }], [[4, 5], { address: '198.51.100.9', port: 67 }]]);
    expect(received.every((r) => r.data.buffer.byteLength <= 5)).toBe(true);
  });
});
const setup = setupWith;

describe('native transport: send', () => {
  const reply = Buffer.from('offer');

  it('sends through the named interface with IP_PKTINFO and the given source', async () => {
    const { binding, transport } = setup();
    await transport.send({ data: reply, to: { address: '255.255.255.255', port: 68 }, ifaceName: 'adn-s2', source: '203.0.113.1' });
    expect(binding.udpSends).toEqual([{ data: reply, address: '255.255.255.255', port: 68, ifindex: 12, source: '203.0.113.1' }]);
    expect(binding.packetSends).toEqual([]);
  });

  it('unicasts to the client MAC through the packet socket (RFC 2131 §4.1)', async () => {
    const { binding, transport } = setup();
    await transport.send({ data: reply, to: { address: '203.0.113.140', port: 68 }, ifaceName: 'adn-s2', hwAddress: '02:00:00:00:00:99' });
    expect(binding.udpSends).toEqual([]);
    const [sent] = binding.packetSends;
    expect(sent?.ifindex).toBe(12);
    expect(sent?.mac).toEqual(Buffer.from([2, 0, 0, 0, 0, 0x99]));
    const d = sent!.datagram;
    // Source: the interface address facing yiaddr (the second /25); ports 67 -> 68.
    expect([d.subarray(12, 16).join('.'), d.subarray(16, 20).join('.'), d.readUInt16BE(20), d.readUInt16BE(22)]).toEqual([
      '203.0.113.129', '203.0.113.140', 67, 68,
    ]);
    expect(d.subarray(28)).toEqual(reply);
    expect(transport.stats()).toMatchObject({ sent: 1, sentToMac: 1, macFallbacks: 0 });
  });

  it('broadcasts instead when the destination is a broadcast address even with a MAC', async () => {
    const { binding, transport } = setup();
    await transport.send({ data: reply, to: { address: '198.51.100.255', port: 68 }, ifaceName: 'adn-s1', hwAddress: '02:00:00:00:00:99' });
    expect(binding.packetSends).toEqual([]);
    expect(binding.udpSends[0]).toMatchObject({ address: '198.51.100.255', ifindex: 11 });
  });

  it('falls back to broadcast on the same link when the packet send fails, and says so', async () => {
    const { binding, transport, logger } = setup();
    binding.packetResults.push(EMSGSIZE);
    await transport.send({ data: reply, to: { address: '198.51.100.50', port: 68 }, ifaceName: 'adn-s1', hwAddress: '02:00:00:00:00:99' });
    expect(binding.udpSends).toEqual([{ data: reply, address: '255.255.255.255', port: 68, ifindex: 11, source: '' }]);
    expect(transport.stats()).toMatchObject({ macFallbacks: 1, sentToMac: 0, sent: 1 });
    expect(logger.lines.find((l) => l.obj.evt === 'net.unicast_fallback')?.obj.reason).toBe('packet send EMSGSIZE');
  });

  it('falls back to broadcast when there is no packet socket or the MAC is not Ethernet', async () => {
    const noPacket = setup({ packetFd: EPERM });
    expect(noPacket.logger.events()).toContain('net.packet_unavailable');
    await noPacket.transport.send({ data: reply, to: { address: '198.51.100.50', port: 68 }, ifaceName: 'adn-s1', hwAddress: '02:00:00:00:00:99' });
    expect(noPacket.binding.udpSends[0]?.address).toBe('255.255.255.255');

    const odd = setup();
    await odd.transport.send({ data: reply, to: { address: '198.51.100.50', port: 68 }, ifaceName: 'adn-s1', hwAddress: '00:01' });
    expect(odd.binding.packetSends).toEqual([]);
    expect(odd.binding.udpSends[0]?.address).toBe('255.255.255.255');
  });

  it('finds the link facing yiaddr when no interface is named', async () => {
    const { binding, transport } = setup();
    await transport.send({ data: reply, to: { address: '198.51.100.50', port: 68 }, hwAddress: '02:00:00:00:00:99' });
    expect(binding.packetSends[0]?.ifindex).toBe(11);
  });

  it('turns ENETDOWN into a transient DHCPD_ERR_NET_SEND and re-reads the interfaces', async () => {
    const { binding, transport, discover, clock } = setup();
    binding.udpResults.push(ENETDOWN, ENETDOWN);
    await transport.send({ data: reply, to: { address: '255.255.255.255', port: 68 }, ifaceName: 'adn-s1' }).catch(() => {});
    expect(discover).toHaveBeenCalledTimes(1); // rate-limited: the start-up read was just now
    clock.t += 1_000;
    const error = await transport.send({ data: reply, to: { address: '255.255.255.255', port: 68 }, ifaceName: 'adn-s1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetError);
    expect(error).toMatchObject({ code: 'DHCPD_ERR_NET_SEND', transient: true, details: { errno: 'ENETDOWN' } });
    expect((error as NetError).cause).toMatchObject({ code: 'ENETDOWN' });
    expect(transport.stats().sendErrors).toBe(2);
    expect(discover).toHaveBeenCalledTimes(2);
  });

  it('rejects a send through an interface that is not served with DHCPD_ERR_NET_INTERFACE', async () => {
    const { transport, setLive } = setup();
    setLive([ETH1]);
    transport.refreshInterfaces();
    await expect(transport.send({ data: reply, to: { address: '255.255.255.255', port: 68 }, ifaceName: 'adn-s2' })).rejects.toMatchObject({
      code: 'DHCPD_ERR_NET_INTERFACE',
    });
    await expect(transport.send({ data: reply, to: { address: '255.255.255.255', port: 68 }, ifaceName: 'eth0' })).rejects.toMatchObject({
      code: 'DHCPD_ERR_NET_INTERFACE',
    });
  });
});

describe('native transport: lifecycle', () => {
  it('throws DHCPD_ERR_NET_BIND with the errno when the socket cannot bind', () => {
    const binding = fakeBinding();
    binding.openResult = -98;
    expect(() => createNativeTransport({ port: 67, interfaces: [], logger: recordingLogger(), binding, discover: () => ({ found: [], missing: [] }) })).toThrow(
      expect.objectContaining({ code: 'DHCPD_ERR_NET_BIND', details: expect.objectContaining({ errno: 'EADDRINUSE' }) }),
    );
  });

  it('re-reads the interfaces periodically and logs a change (address added, link gone)', () => {
    vi.useFakeTimers();
    const { transport, setLive, logger } = setup();
    expect(transport.interfaces().map((i) => i.name)).toEqual(['adn-s1', 'adn-s2']);
    const added = { ...ETH1, addresses: [...ETH1.addresses, { address: '198.51.100.2', prefixLength: 24 }] };
    setLive([added]);
    vi.advanceTimersByTime(5_000);
    expect(transport.interfaces()).toEqual([added]);
    expect(logger.events()).toEqual(expect.arrayContaining(['net.interfaces', 'net.interface_missing']));
    void transport.close();
  });

  it('closes the sockets once, completes inbound$, and refuses sends afterwards', async () => {
    const { binding, transport } = setup();
    const all = firstValueFrom(transport.inbound$.pipe(toArray()));
    await transport.close();
    await transport.close();
    expect(binding.closed).toEqual(['udp', 'fd42']);
    expect(await all).toEqual([]);
    await expect(transport.send({ data: Buffer.alloc(1), to: { address: '198.51.100.9', port: 68 } })).rejects.toMatchObject({ code: 'DHCPD_ERR_NET_SEND' });
  });
});

describe('native transport: the DISCOVER lane (listen.discoverQueueKiB)', () => {
  const open = (discoverQueueBytes: number | undefined, laneResult?: number) => {
    const binding = fakeBinding();
    if (laneResult !== undefined) binding.laneResult = laneResult;
    const logger = recordingLogger();
    const transport = createNativeTransport({ port: 67, interfaces: [], logger, binding, discover: () => ({ found: [], missing: [] }),
      ...(discoverQueueBytes !== undefined ? { discoverQueueBytes } : {}) });
    return { binding, logger, transport, lane: logger.lines.filter((l) => l.obj.evt === 'net.discover_lane') };
  };

  it('asks the addon for it, says what the kernel granted, and counts what it received and dropped', () => {
    const { binding, transport, lane } = open(256 * 1024);
    expect(binding.laneAsked).toBe(256 * 1024);
    expect(lane).toEqual([{ level: 'info', obj: expect.objectContaining({ askedBytes: 262_144, grantedBytes: 262_144 }) }]);
    binding.meta![RX_LANE_RECEIVED_AT] = 5;
    binding.meta![RX_LANE_DROPS_AT] = -1; // the kernel's u32, wrapped
    expect(transport.stats()).toMatchObject({ discoverLane: true, discoverLaneReceived: 5, discoverLaneDrops: 4_294_967_295 });
    expect(transport.receiveLoad!().lost).toBe(4_294_967_295);
    void transport.close();
  });

  it('serves on one queue when the lane cannot open, with DHCPD_ERR_NET_DISCOVER_LANE in a warning', () => {
    const { transport, lane } = open(65_536, EPERM);
    expect(lane).toEqual([{ level: 'warn', obj: expect.objectContaining({ askedBytes: 65_536, err: expect.objectContaining({ code: 'DHCPD_ERR_NET_DISCOVER_LANE' }) }) }]);
    expect(transport.stats()).toMatchObject({ discoverLane: false, discoverLaneReceived: 0, discoverLaneDrops: 0 });
    void transport.close();
  });

  it('asks for none and says nothing when it is 0 or unset', () => {
    for (const bytes of [0, undefined]) {
      const { binding, transport, lane } = open(bytes);
      expect(binding.laneAsked).toBe(0);
      expect(lane).toEqual([]);
      expect(transport.stats().discoverLane).toBe(false);
      void transport.close();
    }
  });
});
