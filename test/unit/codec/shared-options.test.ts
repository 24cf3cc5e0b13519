// Decoded options of values many clients send (message type, server id, parameter request list, …) are one shared
// object per value (src/codec/shared-options.ts): fewer allocations per message, the same bytes read.
import { describe, expect, it } from 'vitest';
import { decode, getOption, type DecodeResult, type DhcpMessage } from '../../../src/codec/index.js';
import { rawPacket } from './helpers.js';

function ok<T>(res: DecodeResult<T>): T {
  if (!res.ok) throw new Error(`expected ok, got ${res.error.code}: ${res.error.message}`);
  return res.msg;
}

const PRL = [55, 6, 1, 3, 6, 15, 51, 54];
const SERVER_ID = [54, 4, 198, 51, 100, 1];

function packet(...options: number[][]): Buffer {
  return rawPacket([53, 1, 3, ...options.flat(), 255]);
}

const option = (msg: DhcpMessage, code: number) => msg.options.find((o) => o.code === code);

describe('shared decoded options', () => {
  it('gives two messages with the same message type, server id and request list the same option objects', () => {
    const a = ok(decode(packet(SERVER_ID, PRL, [50, 4, 198, 51, 100, 10])));
    const b = ok(decode(packet(SERVER_ID, PRL, [50, 4, 198, 51, 100, 11])));
    for (const code of [53, 54, 55]) expect(option(a, code)).toBe(option(b, code));
    // A per-client value (the requested address) is each message's own.
    expect(option(a, 50)).not.toBe(option(b, 50));
    expect(getOption(b, 50)?.toString('hex')).toBe('c633640b');
  });

  it('keeps a copy of its own: the shared bytes do not change with a handed-over buffer, nor pin it', () => {
    const buf = packet(PRL);
    const msg = ok(decode(buf, { handOver: true }));
    const prl = getOption(msg, 55)!;
    expect(prl.buffer).not.toBe(buf.buffer);
    buf.fill(0);
    expect([...prl]).toEqual(PRL.slice(2));
    expect([...getOption(ok(decode(packet(PRL))), 55)!]).toEqual(PRL.slice(2));
  });

  it('reads every value right while many values of one code churn through the table', () => {
    for (let i = 0; i < 5000; i++) {
      const list = [1 + (i % 7), (i * 31) & 255, (i * 17) & 255, i & 255].slice(0, 1 + (i % 4));
      const vendor = Buffer.from(`vendor-${i % 300}`);
      const msg = ok(decode(packet([55, list.length, ...list], [60, vendor.length, ...vendor])));
      expect([...getOption(msg, 55)!]).toEqual(list);
      expect(getOption(msg, 60)?.toString()).toBe(vendor.toString());
    }
  });

  it('concatenates a split shared code (RFC 3396) without changing the shared option of its first part', () => {
    const first = ok(decode(packet(PRL)));
    const split = ok(decode(packet(PRL, [55, 2, 42, 43])));
    expect([...getOption(split, 55)!]).toEqual([...PRL.slice(2), 42, 43]);
    expect([...getOption(first, 55)!]).toEqual(PRL.slice(2));
    expect([...getOption(ok(decode(packet(PRL))), 55)!]).toEqual(PRL.slice(2));
  });

  it('gives a value longer than the table keeps a view of its own', () => {
    const long = Array.from({ length: 100 }, (_, i) => i + 1);
    const a = ok(decode(packet([55, long.length, ...long])));
    const b = ok(decode(packet([55, long.length, ...long])));
    expect(option(a, 55)).not.toBe(option(b, 55));
    expect([...getOption(b, 55)!]).toEqual(long);
  });
});
