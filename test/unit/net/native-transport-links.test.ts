import { describe, expect, it, vi } from 'vitest';
import type { Discovery } from '../../../src/net/interfaces.js';
import { createNativeTransport } from '../../../src/net/native-transport.js';
import type { Inbound, InterfaceInfo } from '../../../src/net/types.js';
import { datagram, ETH1, ETH2, fakeBinding, recordingLogger } from './helpers.js';

const EINVAL = -22;
const reply = Buffer.from('ack');

function setup(initial: InterfaceInfo[] = [ETH1, ETH2]) {
  const binding = fakeBinding();
  const logger = recordingLogger();
  let live = initial;
  const discover = vi.fn((names: readonly string[]): Discovery => ({
    found: live.filter((i) => names.includes(i.name)),
    missing: [],
    localAddresses: live.flatMap((i) => i.addresses.map((a) => a.address)),
  }));
  const clock = { t: 1000 };
  const transport = createNativeTransport({ port: 67, interfaces: ['adn-s1', 'adn-s2'], logger, binding, discover, now: () => clock.t });
  const received: Inbound[] = [];
  transport.inbound$.subscribe((i) => received.push(i));
  return { binding, logger, discover, transport, received, clock, setLive: (l: InterfaceInfo[]) => (live = l) };
}

describe('native transport: links that change', () => {
  it('re-reads an interface learnt without addresses (link was down) when a datagram arrives on it', () => {
    const { binding, received, clock, setLive } = setup([{ ...ETH1, addresses: [] }, ETH2]);
    setLive([ETH1, ETH2]);
    clock.t += 1_000;
    binding.receive(0, [datagram(11, '198.51.100.255')]);
    // Without the re-read the directed broadcast could not be told from a unicast, nor the subnet found.
    expect(received.map((r) => [r.iface?.addresses.length, r.broadcast])).toEqual([[1, true]]);
  });

  it('logs ignored datagrams at info once per foreign interface and minute, counting every one', () => {
    const { binding, logger, transport, clock } = setup();
    binding.receive(0, [datagram(77, '255.255.255.255'), datagram(77, '255.255.255.255'), datagram(78, '255.255.255.255')]);
    const info = () => logger.lines.filter((l) => l.level === 'info' && l.obj.evt === 'net.ignored_interface').map((l) => [l.obj.ifindex, l.obj.ignored]);
    expect(info()).toEqual([[77, 1], [78, 3]]);
    clock.t += 60_000;
    binding.receive(0, [datagram(77, '255.255.255.255')]);
    expect(info()).toEqual([[77, 1], [78, 3], [77, 4]]);
    expect(transport.stats().ignoredInterface).toBe(4);
  });
});

describe('native transport: sends a forged address makes fail', () => {
  it('a flood of ENETUNREACH replies (forged giaddr/ciaddr) re-reads the links at most once a second', async () => {
    const ENETUNREACH = -101;
    const { binding, transport, discover, clock } = setup();
    clock.t += 1_000;
    const before = discover.mock.calls.length;
    const fail = () => transport.send({ data: reply, to: { address: '192.0.2.7', port: 67 } }).catch(() => undefined);
    for (let i = 0; i < 1_000; i++) {
      binding.udpResults.push(ENETUNREACH);
      await fail();
    }
    expect(discover.mock.calls.length - before).toBe(1);
    clock.t += 1_000;
    binding.udpResults.push(ENETUNREACH);
    await fail();
    expect(discover.mock.calls.length - before).toBe(2);
    expect(transport.stats().sendErrors).toBe(1_001);
  });
});

describe('native transport: source address', () => {
  it('retries without the source when the kernel refuses it (a configured server id that is not ours)', async () => {
    const { binding, transport, logger } = setup();
    binding.udpResults.push(EINVAL);
    await transport.send({ data: reply, to: { address: '255.255.255.255', port: 68 }, ifaceName: 'adn-s1', source: '192.0.2.1' });
    expect(binding.udpSends.map((s) => [s.ifindex, s.source])).toEqual([[11, '192.0.2.1'], [11, '']]);
    expect(transport.stats()).toMatchObject({ sent: 1, sourceFallbacks: 1, sendErrors: 0 });
    expect(logger.events()).toContain('net.source_fallback');
  });

  it('does not retry other failures, nor sends without a source', async () => {
    const { binding, transport } = setup();
    binding.udpResults.push(EINVAL);
    // EINVAL cannot succeed on retry: typed as such, so the responder does not retry it either.
    await expect(transport.send({ data: reply, to: { address: '255.255.255.255', port: 68 }, ifaceName: 'adn-s1' })).rejects.toMatchObject({
      code: 'DHCPD_ERR_NET_UNREACHABLE', transient: false,
    });
    expect(binding.udpSends).toHaveLength(1);
  });

  it('unicasts to a MAC from the server id when it is ours, else from the interface address', async () => {
    const { binding, transport } = setup();
    const out = { data: reply, to: { address: '198.51.100.50', port: 68 }, ifaceName: 'adn-s1', hwAddress: '02:00:00:00:00:99' };
    await transport.send({ ...out, source: '203.0.113.1' });
    await transport.send({ ...out, source: '192.0.2.1' });
    expect(binding.packetSends.map((p) => p.datagram.subarray(12, 16).join('.'))).toEqual(['203.0.113.1', '198.51.100.1']);
  });
});
