import { describe, expect, it } from 'vitest';
import { FlatReceiver } from '../../../src/net/flat-receive.js';
import { RX_META_FIELDS, RX_SLOT_SIZE } from '../../../src/net/native-binding.js';

/** Writes a batch as native/udp.c does: bytes at the start of slot i, row i = offset, length, src, port, ifindex, dst. */
function fill(receiver: FlatReceiver, batch: { bytes: number[]; src: number; port: number; ifindex: number; dst: number }[]): void {
  batch.forEach((d, i) => {
    receiver.slots.set(d.bytes, i * RX_SLOT_SIZE);
    receiver.meta.set([i * RX_SLOT_SIZE, d.bytes.length, d.src | 0, d.port, d.ifindex, d.dst | 0], i * RX_META_FIELDS);
  });
}

function collect(receiver: FlatReceiver, count: number) {
  const out: { data: Buffer; address: string; port: number; ifindex: number; localAddress: string }[] = [];
  receiver.deliver(count, (data, address, port, ifindex, localAddress) => out.push({ data, address, port, ifindex, localAddress }));
  return out;
}

describe('FlatReceiver', () => {
  it('hands over each datagram of a batch in order, with its addresses named and bytes of its own', () => {
    const receiver = new FlatReceiver();
    fill(receiver, [
      { bytes: [1, 2, 3], src: 0, port: 68, ifindex: 11, dst: 0xffffffff },
      { bytes: [9], src: 0xc6336409, port: 67, ifindex: 0, dst: 0xc6336401 }, // 198.51.100.9 -> 198.51.100.1
      { bytes: [7, 7], src: 0xc6336409, port: 67, ifindex: 12, dst: 0 },
    ]);
    const got = collect(receiver, 3);
    receiver.slots.fill(0xee); // the next batch overwrites the slots
    expect(got.map((d) => [[...d.data], d.address, d.port, d.ifindex, d.localAddress])).toEqual([
      [[1, 2, 3], '0.0.0.0', 68, 11, '255.255.255.255'],
      [[9], '198.51.100.9', 67, 0, '198.51.100.1'],
      [[7, 7], '198.51.100.9', 67, 12, ''], // no IP_PKTINFO: the local address is unknown, as udpOpen reported it
    ]);
    // Views of one exact-size buffer of the batch's own (one allocation per batch, not per datagram; the decoder
    // keeps them as views), not of the slots.
    expect(new Set(got.map((d) => d.data.buffer)).size).toBe(1);
    expect(got[0]!.data.buffer.byteLength).toBe(6);
  });

  it('gives a datagram larger than a real request a buffer of its own: a long-lived view pins at most a batch of small ones', () => {
    const receiver = new FlatReceiver();
    const big = Array.from({ length: 2000 }, (_, i) => i & 255);
    fill(receiver, [{ bytes: [1, 2], src: 0, port: 68, ifindex: 1, dst: 0 }, { bytes: big, src: 0, port: 68, ifindex: 1, dst: 0 }, { bytes: [3], src: 0, port: 68, ifindex: 1, dst: 0 }]);
    const got = collect(receiver, 3);
    receiver.slots.fill(0xee);
    expect(got.map((d) => d.data.buffer.byteLength)).toEqual([3, 2000, 3]);
    expect([...got[1]!.data]).toEqual(big);
    expect([...got[2]!.data]).toEqual([3]);
  });

  it('names each datagram\'s own addresses when they repeat, alternate and come back, across batches', () => {
    const receiver = new FlatReceiver();
    const A = 0xc6120001; // 198.18.0.1
    const B = 0xc6120002;
    const sources = [A, A, B, A, 0, B];
    const destinations = [0xffffffff, 0xc6336401, 0xc6336401, 0xffffffff, 0, 0xc6336401];
    const names: string[][] = [];
    for (let batch = 0; batch < 2; batch++) {
      fill(receiver, sources.map((src, i) => ({ bytes: [i], src, port: 67, ifindex: 1, dst: destinations[i]! })));
      names.push(...collect(receiver, sources.length).map((d) => [d.address, d.localAddress]));
    }
    const expected = [['198.18.0.1', '255.255.255.255'], ['198.18.0.1', '198.51.100.1'], ['198.18.0.2', '198.51.100.1'],
      ['198.18.0.1', '255.255.255.255'], ['0.0.0.0', ''], ['198.18.0.2', '198.51.100.1']];
    expect(names).toEqual([...expected, ...expected]);
  });

  it('delivers nothing for an empty batch', () => {
    expect(collect(new FlatReceiver(), 0)).toEqual([]);
  });

  it('keeps at most 1,024 address names however many sources a flood spoofs', () => {
    const receiver = new FlatReceiver();
    for (let round = 0; round < 50; round++) {
      fill(receiver, Array.from({ length: 64 }, (_, i) => ({ bytes: [1], src: 0xc6120000 + round * 64 + i, port: 68, ifindex: 1, dst: 0xffffffff })));
      const got = collect(receiver, 64);
      expect(got[63]!.address).toBe(`198.18.${(round * 64 + 63) >> 8}.${(round * 64 + 63) & 255}`);
    }
    expect(receiver.cachedNames).toBeLessThanOrEqual(1024);
  });
});
