// udpSendFlat: a turn's replies reach the addon as one slab and one row per reply (no JS value per message), with
// the same outcome per reply as udpSendMany — in order, each with its destination, port, interface and source, a
// refused or unsendable reply failing alone. A batch larger than the slab goes in several calls.
import { describe, expect, it } from 'vitest';
import { intToIp } from '../../../src/codec/index.js';
import { TX_META_FIELDS } from '../../../src/net/native-binding.js';
import type { Discovery } from '../../../src/net/interfaces.js';
import { createNativeTransport } from '../../../src/net/native-transport.js';
import type { Outbound } from '../../../src/net/types.js';
import { ETH1, ETH2, fakeBinding, recordingLogger, type FakeBinding } from './helpers.js';

const ENETUNREACH = -101;

/** The fake addon with udpSendFlat, read as native/send.c reads the rows (and without udpSendMany). */
function flatBinding(): FakeBinding {
  const fake = fakeBinding();
  delete fake.udpSendMany;
  fake.udpSendFlat = (handle, slab, meta, count, results) => {
    fake.batches.push({ kind: 'udp', size: count });
    for (let i = 0; i < count; i++) {
      const [offset, length, destination, port, ifindex, source] = meta.subarray(i * TX_META_FIELDS, (i + 1) * TX_META_FIELDS);
      if (length! < 0) continue;
      // A copy: the slab is the queue's own, overwritten by its next batch.
      const data = Buffer.from(slab.subarray(offset, offset! + length!));
      results[i] = fake.udpSend(handle, data, intToIp(destination! >>> 0), port!, ifindex!, source === 0 ? '' : intToIp(source! >>> 0));
    }
    return count;
  };
  return fake;
}

function setup() {
  const binding = flatBinding();
  const logger = recordingLogger();
  const discover = (names: readonly string[]): Discovery => ({
    found: [ETH1, ETH2].filter((i) => names.includes(i.name)), missing: [], localAddresses: ['198.51.100.1', '203.0.113.1'],
  });
  return { binding, logger, transport: createNativeTransport({ port: 67, interfaces: ['adn-s1', 'adn-s2'], logger, binding, discover }) };
}

const relay = (i: number, source?: string, data = Buffer.from(`ack-${i}`)): Outbound => ({
  data, to: { address: `198.18.0.${i}`, port: 67 }, ...(source === undefined ? {} : { source }),
});

describe('flat batched sends (udpSendFlat)', () => {
  it('sends the replies of one turn in one call, in order, with per-message bytes, destination, port, interface and source', async () => {
    const { binding, transport } = setup();
    await Promise.all([
      transport.send(relay(1, '198.51.100.1')),
      transport.send({ data: Buffer.from('bcast'), to: { address: '255.255.255.255', port: 68 }, ifaceName: 'adn-s2' }),
      transport.send(relay(3)),
    ]);
    expect(binding.batches).toEqual([{ kind: 'udp', size: 3 }]);
    expect(binding.udpSends.map((s) => [s.data.toString(), s.address, s.port, s.ifindex, s.source])).toEqual([
      ['ack-1', '198.18.0.1', 67, 0, '198.51.100.1'],
      ['bcast', '255.255.255.255', 68, 12, ''],
      ['ack-3', '198.18.0.3', 67, 0, ''],
    ]);
    expect(transport.stats()).toMatchObject({ sent: 3, sendBatches: 1, batchedSends: 3 });
  });

  it('reads each reply\'s own addresses when they repeat, alternate and come back (the last one parsed is kept)', async () => {
    const { binding, transport } = setup();
    const sources = ['198.51.100.1', '198.51.100.1', '203.0.113.1', '198.51.100.1', '', '198.51.100.1'];
    const targets = [1, 1, 2, 1, 2, 2];
    await Promise.all(targets.map((t, i) => transport.send({ ...relay(t, sources[i] || undefined), data: Buffer.from(`r${i}`) })));
    expect(binding.udpSends.map((s) => [s.data.toString(), s.address, s.source])).toEqual(
      targets.map((t, i) => [`r${i}`, `198.18.0.${t}`, sources[i]]));
  });

  it('a refused reply, and one that cannot be sent at all (not an address), fail alone; the others are sent', async () => {
    const { binding, transport } = setup();
    binding.udpResults.push(6, ENETUNREACH, 6);
    const bad: Outbound = { data: Buffer.from('bad'), to: { address: '198.18.0.300', port: 67 } };
    const outcomes = await Promise.allSettled([transport.send(relay(1)), transport.send(relay(2)), transport.send(bad), transport.send(relay(4))]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'DHCPD_ERR_NET_UNREACHABLE', details: { errno: 'ENETUNREACH' } });
    expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ transient: false, details: { errno: 'EINVAL' } });
    expect(binding.udpSends.map((s) => s.data.toString())).toEqual(['ack-1', 'ack-2', 'ack-4']);
    expect(transport.stats()).toMatchObject({ sent: 2, sendErrors: 2 });
  });

  it('a turn with more bytes than the slab holds goes in several calls, every reply intact and in order', async () => {
    const { binding, transport } = setup();
    const big = (i: number) => Buffer.alloc(60_000, i);
    await Promise.all(Array.from({ length: 10 }, (_, i) => transport.send(relay(i + 1, undefined, big(i + 1)))));
    expect(binding.batches).toEqual([{ kind: 'udp', size: 4 }, { kind: 'udp', size: 4 }, { kind: 'udp', size: 2 }]);
    expect(binding.udpSends.map((s) => [s.address, s.data.equals(big(Number(s.address.split('.')[3])))])).toEqual(
      Array.from({ length: 10 }, (_, i) => [`198.18.0.${i + 1}`, true]));
    expect(transport.stats()).toMatchObject({ sent: 10, sendBatches: 1, batchedSends: 10 });
  });
});
