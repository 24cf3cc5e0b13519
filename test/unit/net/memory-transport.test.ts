import { describe, expect, it } from 'vitest';
import { NetError } from '../../../src/errors.js';
import { createMemoryTransport } from '../../../src/net/memory-transport.js';
import type { Inbound } from '../../../src/net/types.js';
import { ETH1 } from './helpers.js';

describe('memory transport', () => {
  it('delivers injected datagrams with defaults filled in', () => {
    const t = createMemoryTransport({ interfaces: [ETH1], now: () => 5 });
    const got: Inbound[] = [];
    t.inbound$.subscribe((i) => got.push(i));
    t.inject({ data: Buffer.from([1]), iface: ETH1, broadcast: true });
    t.inject({ data: Buffer.from([2]), from: { address: '198.51.100.7', port: 67 } });
    expect(got).toEqual([
      { data: Buffer.from([1]), iface: ETH1, broadcast: true, from: { address: '0.0.0.0', port: 68 }, receivedAt: 5 },
      { data: Buffer.from([2]), from: { address: '198.51.100.7', port: 67 }, receivedAt: 5 },
    ]);
    expect(t.interfaces()).toEqual([ETH1]);
  });

  it('collects sends in order and hands them to nextSent() waiters, before or after the send', async () => {
    const t = createMemoryTransport();
    const first = t.nextSent();
    await t.send({ data: Buffer.from('a'), to: { address: '198.51.100.9', port: 68 } });
    await t.send({ data: Buffer.from('b'), to: { address: '198.51.100.9', port: 68 } });
    expect((await first).data.toString()).toBe('a');
    expect((await t.nextSent()).data.toString()).toBe('b');
    expect(t.sent.map((o) => o.data.toString())).toEqual(['a', 'b']);
  });

  it('fails sends on demand and after close', async () => {
    const t = createMemoryTransport();
    const failure = new NetError('DHCPD_ERR_NET_SEND', 'link down');
    t.failSends(failure);
    await expect(t.send({ data: Buffer.alloc(1), to: { address: '198.51.100.9', port: 68 } })).rejects.toBe(failure);
    t.failSends(undefined);
    await t.send({ data: Buffer.alloc(1), to: { address: '198.51.100.9', port: 68 } });
    expect(t.sent).toHaveLength(1);
    let completed = false;
    t.inbound$.subscribe({ complete: () => (completed = true) });
    await t.close();
    expect([completed, t.closed]).toEqual([true, true]);
    await expect(t.send({ data: Buffer.alloc(1), to: { address: '198.51.100.9', port: 68 } })).rejects.toMatchObject({ code: 'DHCPD_ERR_NET_SEND' });
    expect(() => t.inject({ data: Buffer.alloc(1) })).toThrow(TypeError);
  });
});
