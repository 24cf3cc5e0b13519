// Batched sends (sendmmsg): the replies of one turn leave in one native call, and each keeps its own outcome — a
// refused reply fails alone (its fallbacks and error as before), the others of its batch are sent. Without the
// batched calls in the addon, one call per reply as before.
import { describe, expect, it } from 'vitest';
import type { Discovery } from '../../../src/net/interfaces.js';
import { createNativeTransport } from '../../../src/net/native-transport.js';
import type { Outbound } from '../../../src/net/types.js';
import { ETH1, ETH2, fakeBinding, recordingLogger, type FakeBinding } from './helpers.js';

const ENETUNREACH = -101;
const ENOBUFS = -105;
const EINVAL = -22;
const EMSGSIZE = -90;

function setup(opts: { batched?: boolean; binding?: FakeBinding } = {}) {
  const binding = opts.binding ?? fakeBinding(opts);
  const logger = recordingLogger();
  const discover = (names: readonly string[]): Discovery => ({
    found: [ETH1, ETH2].filter((i) => names.includes(i.name)), missing: [], localAddresses: ['198.51.100.1', '203.0.113.1', '203.0.113.129'],
  });
  const transport = createNativeTransport({ port: 67, interfaces: ['adn-s1', 'adn-s2'], logger, binding, discover });
  return { binding, logger, transport };
}

const relay = (i: number, source?: string): Outbound => ({
  data: Buffer.from(`ack-${i}`), to: { address: `198.18.0.${i}`, port: 67 }, ...(source === undefined ? {} : { source }),
});
const toMac = (i: number): Outbound => ({
  data: Buffer.from(`offer-${i}`), to: { address: `198.51.100.${50 + i}`, port: 68 }, ifaceName: 'adn-s1', hwAddress: `02:00:00:00:00:${10 + i}`,
});

describe('batched sends', () => {
  it('sends the replies of one turn in one call, in order, with per-message destination, port, interface and source', async () => {
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

  it('gathers replies released along a chain of promise jobs of the same turn (a group commit resolving its writers)', async () => {
    const { binding, transport } = setup();
    let release!: () => void;
    const commit = new Promise<void>((r) => (release = r));
    // Each writer resumes a different number of promise jobs after the commit, as decisions do.
    const writers = [0, 1, 3, 6].map(async (depth, i) => {
      await commit;
      for (let d = 0; d < depth; d++) await Promise.resolve();
      return transport.send(relay(i + 1));
    });
    release();
    await Promise.all(writers);
    expect(binding.batches).toEqual([{ kind: 'udp', size: 4 }]);
    await transport.send(relay(9)); // a later turn: its own batch
    expect(binding.batches).toEqual([{ kind: 'udp', size: 4 }, { kind: 'udp', size: 1 }]);
  });

  it('a refused reply fails alone: its typed error, the others of the batch sent and resolved', async () => {
    const { binding, transport } = setup();
    binding.udpResults.push(6, ENETUNREACH, 6, ENOBUFS, 6);
    const outcomes = await Promise.allSettled([1, 2, 3, 4, 5].map((i) => transport.send(relay(i))));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    const reason = (i: number): unknown => (outcomes[i] as PromiseRejectedResult).reason;
    // ENETUNREACH: no retry cures it; ENOBUFS: the queue drains, a retry may pass (src/supervisor/retry.ts).
    expect(reason(1)).toMatchObject({ code: 'DHCPD_ERR_NET_UNREACHABLE', transient: false, details: { errno: 'ENETUNREACH', to: { address: '198.18.0.2' } } });
    expect(reason(3)).toMatchObject({ code: 'DHCPD_ERR_NET_SEND', transient: true, details: { errno: 'ENOBUFS', to: { address: '198.18.0.4' } } });
    expect(binding.batches).toEqual([{ kind: 'udp', size: 5 }]);
    expect(transport.stats()).toMatchObject({ sent: 3, sendErrors: 2 });
  });

  it('a source the kernel refuses falls back for that reply only, alone, without a source', async () => {
    const { binding, transport, logger } = setup();
    binding.udpResults.push(6, EINVAL, 6);
    await Promise.all([transport.send(relay(1, '198.51.100.1')), transport.send(relay(2, '198.51.100.9')), transport.send(relay(3, '198.51.100.1'))]);
    expect(binding.batches).toEqual([{ kind: 'udp', size: 3 }]);
    expect(binding.udpSends.map((s) => [s.data.toString(), s.source])).toEqual([
      ['ack-1', '198.51.100.1'], ['ack-2', '198.51.100.9'], ['ack-3', '198.51.100.1'], ['ack-2', ''],
    ]);
    expect(transport.stats()).toMatchObject({ sent: 3, sourceFallbacks: 1, sendErrors: 0 });
    expect(logger.events()).toContain('net.source_fallback');
  });

  it('unicasts to MACs of one turn go in one packet-socket call; a refused one falls back to a broadcast alone', async () => {
    const { binding, transport } = setup();
    binding.packetResults.push(40, EMSGSIZE, 40);
    await Promise.all([0, 1, 2].map((i) => transport.send(toMac(i))));
    expect(binding.batches[0]).toEqual({ kind: 'packet', size: 3 });
    expect(binding.packetSends.map((p) => p.mac.toString('hex'))).toEqual(['020000000010', '020000000011', '020000000012']);
    // The fallback broadcast is a UDP send of a later turn.
    expect(binding.udpSends.map((s) => [s.data.toString(), s.address, s.ifindex])).toEqual([['offer-1', '255.255.255.255', 11]]);
    expect(transport.stats()).toMatchObject({ sent: 3, sentToMac: 2, macFallbacks: 1 });
  });

  it('a batched call that throws fails its replies with a typed error, logs once, and the next batch is sent', async () => {
    const fake = fakeBinding();
    const real = fake.udpSendMany!;
    let failing = true;
    fake.udpSendMany = (...args) => {
      if (failing) throw new TypeError('dhcpd_net: expected a Buffer');
      return real(...args);
    };
    const { binding, transport, logger } = setup({ binding: fake });
    const outcomes = await Promise.allSettled([transport.send(relay(1)), transport.send(relay(2))]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect((outcomes[0] as PromiseRejectedResult).reason).toMatchObject({ transient: false, details: { errno: 'EINVAL' } });
    expect(logger.events().filter((e) => e === 'net.send_batch_failed')).toHaveLength(1);
    failing = false;
    await transport.send(relay(3));
    expect(binding.udpSends.map((s) => s.data.toString())).toEqual(['ack-3']);
  });

  it('bounds the queue: a thousand-and-more replies in one turn are flushed as they reach the bound', async () => {
    const { binding, transport } = setup();
    await Promise.all(Array.from({ length: 2100 }, (_, i) => transport.send(relay(i % 250))));
    expect(binding.batches.map((b) => b.size)).toEqual([1024, 1024, 52]);
  });

  it('paces a large release: a burst per turn (a quarter of what waits, when that is more), in order', async () => {
    const { binding, transport } = setup();
    // A group commit releasing 300 ACKs at once: a quarter leaves with the turn, then a burst per turn.
    await Promise.all(Array.from({ length: 300 }, (_, i) => transport.send(relay(i % 250))));
    expect(binding.batches.map((b) => b.size)).toEqual([75, 64, 64, 64, 33]);
    expect(binding.udpSends.map((s) => s.data.toString())).toEqual(Array.from({ length: 300 }, (_, i) => `ack-${i % 250}`));
  });

  it('close sends what is queued before closing the socket', async () => {
    const { binding, transport } = setup();
    const sent = transport.send(relay(1));
    await transport.close();
    await sent;
    expect(binding.udpSends).toHaveLength(1);
    expect(binding.closed).toEqual(['udp', 'fd42']);
  });

  it('an addon without the batched calls sends one by one, with the same outcomes', async () => {
    const { binding, transport } = setup({ batched: false });
    binding.udpResults.push(6, ENETUNREACH);
    const outcomes = await Promise.allSettled([transport.send(relay(1)), transport.send(relay(2))]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected']);
    expect(binding.batches).toEqual([]);
    expect(binding.udpSends).toHaveLength(2);
    expect(transport.stats()).toMatchObject({ sent: 1, sendErrors: 1, sendBatches: 0 });
  });
});

describe('posted sends (post: a callback instead of a promise per reply)', () => {
  /** Posts every reply with one recording `done`; resolves when all were called back. */
  function postAll(transport: ReturnType<typeof setup>['transport'], outs: readonly Outbound[]) {
    const outcomes: { token: number; sent: boolean; error: unknown }[] = [];
    let returned = false;
    const called = new Promise<void>((resolve) => {
      outs.forEach((out, i) => transport.post!(out, (token: number, sent, error) => {
        // Never from inside post: a caller may rely on post having returned.
        expect(returned).toBe(true);
        outcomes.push({ token, sent, error });
        if (outcomes.length === outs.length) resolve();
      }, i));
    });
    returned = true;
    return called.then(() => outcomes.sort((a, b) => a.token - b.token));
  }

  it('sends the turn in one batch as send() does and calls done once per reply with its token', async () => {
    const { binding, transport } = setup();
    binding.udpResults.push(6, ENETUNREACH, 6);
    const outcomes = await postAll(transport, [relay(1), relay(2), relay(3)]);
    expect(outcomes.map((o) => [o.token, o.sent])).toEqual([[0, true], [1, false], [2, true]]);
    expect(outcomes[1]!.error).toMatchObject({ code: 'DHCPD_ERR_NET_UNREACHABLE', details: { errno: 'ENETUNREACH', to: { address: '198.18.0.2' } } });
    expect(binding.batches).toEqual([{ kind: 'udp', size: 3 }]);
    expect(transport.stats()).toMatchObject({ sent: 2, sendErrors: 1 });
  });

  it('falls back for a refused source, unicasts to a MAC and refuses an unknown interface as send() does', async () => {
    const { binding, transport } = setup();
    binding.udpResults.push(EINVAL);
    const unknown: Outbound = { data: Buffer.from('x'), to: { address: '255.255.255.255', port: 68 }, ifaceName: 'nope' };
    const outcomes = await postAll(transport, [relay(1, '198.51.100.9'), toMac(0), unknown]);
    expect(outcomes.map((o) => o.sent)).toEqual([true, true, false]);
    expect(outcomes[2]!.error).toMatchObject({ code: 'DHCPD_ERR_NET_INTERFACE' });
    expect(binding.packetSends).toHaveLength(1);
    expect(transport.stats()).toMatchObject({ sent: 2, sourceFallbacks: 1, sentToMac: 1 });
  });

  it('at the queue bound sends at once but still calls back after post returns', async () => {
    const { binding, transport } = setup();
    const outcomes = await postAll(transport, Array.from({ length: 1100 }, (_, i) => relay(i % 250)));
    expect(outcomes.every((o) => o.sent)).toBe(true);
    expect(binding.batches.map((b) => b.size)).toEqual([1024, 64, 12]);
  });

  it('a done that throws does not keep the others of its batch, or the next turns, from being called back', async () => {
    const { transport } = setup();
    const called: number[] = [];
    const failures: unknown[] = [];
    const onUncaught = (error: unknown) => failures.push(error);
    process.prependListener('uncaughtException', onUncaught);
    try {
      const all = new Promise<void>((resolve) => {
        for (let i = 0; i < 300; i++) {
          transport.post!(relay(i % 250), (token: number) => {
            called.push(token);
            if (token === 0) throw new Error('a bug in done');
            if (called.length === 300) resolve();
          }, i);
        }
      });
      await all;
    } finally {
      process.removeListener('uncaughtException', onUncaught);
    }
    expect(called).toHaveLength(300);
    expect(failures).toHaveLength(1);
  });
});
