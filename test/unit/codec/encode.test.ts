// encode: byte layout, encode -> decode -> encode round trips, RFC 3396 splitting, overload out, size limits.
import { describe, expect, it } from 'vitest';
import { CodecError } from '../../../src/errors.js';
import { decode, encode, encodedSize, ZERO_FILE, ZERO_SNAME, type DhcpMessage } from '../../../src/codec/index.js';
import { message, opt } from './helpers.js';

function roundTrip(msg: DhcpMessage, maxSize?: number): { bytes: Buffer; decoded: DhcpMessage } {
  const bytes = encode(msg, maxSize === undefined ? undefined : { maxSize });
  const res = decode(bytes);
  if (!res.ok) throw new Error(res.error.message);
  const again = encode(res.msg, maxSize === undefined ? undefined : { maxSize });
  expect(again.equals(bytes)).toBe(true);
  return { bytes, decoded: res.msg };
}

describe('encode: layout', () => {
  it('writes the header, the cookie, options in order and END, padded to 300 bytes', () => {
    const msg = message({
      op: 2, hops: 1, xid: 0x11223344, secs: 5, flags: 0x8000,
      ciaddr: '198.51.100.2', yiaddr: '198.51.100.3', siaddr: '198.51.100.4', giaddr: '198.51.100.5',
      options: [opt(53, [2]), opt(54, [198, 51, 100, 1]), opt(51, [0, 0, 14, 16])],
    });
    const buf = encode(msg);
    expect(buf.length).toBe(300);
    expect(buf.subarray(0, 12).toString('hex')).toBe('020106011122334400058000');
    expect([...buf.subarray(12, 28)]).toEqual([198, 51, 100, 2, 198, 51, 100, 3, 198, 51, 100, 4, 198, 51, 100, 5]);
    expect(buf.subarray(28, 34).toString('hex')).toBe('525400123456');
    expect(buf.readUInt32BE(236)).toBe(0x63825363);
    expect([...buf.subarray(240, 256)]).toEqual([53, 1, 2, 54, 4, 198, 51, 100, 1, 51, 4, 0, 0, 14, 16, 255]);
    expect(buf.subarray(256).every((b) => b === 0)).toBe(true);
  });

  it('grows past 300 bytes when the options need it, and encodedSize agrees', () => {
    const msg = message({ options: [opt(53, [1]), opt(43, Buffer.alloc(200, 1))] });
    const buf = encode(msg);
    expect(buf.length).toBe(240 + 3 + 202 + 1);
    expect(encodedSize(msg)).toBe(buf.length);
    expect(encodedSize(message())).toBe(300);
  });

  it('gives a reply memory of its own (kept for retransmissions without pinning a pool slab, and without a copy)', () => {
    const bytes = encode(message({ options: [opt(53, [2])] }));
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.buffer.byteLength).toBe(bytes.length);
  });

  it('with pooled, the same bytes from Node\'s shared pool (a reply sent and dropped)', () => {
    const msg = message({ options: [opt(53, [2])] });
    const pooled = encode(msg, { pooled: true });
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.length);
    expect(pooled.equals(encode(msg))).toBe(true);
  });

  it('pads a short chaddr, sname and file with zeros', () => {
    const msg = message({ chaddr: Buffer.from([1, 2]), sname: Buffer.from('s'), file: Buffer.alloc(0) });
    const { decoded } = roundTrip(msg);
    expect(decoded.chaddr.toString('hex')).toBe('0102' + '00'.repeat(14));
    expect(decoded.sname.length).toBe(64);
    expect(decoded.file.length).toBe(128);
  });

  it('the shared zero sname/file and 0.0.0.0 addresses come out as zeros, in pooled memory that held other bytes', () => {
    const busy = message({
      ciaddr: '198.51.100.2', yiaddr: '198.51.100.3', siaddr: '198.51.100.4', giaddr: '198.51.100.5',
      sname: Buffer.alloc(64, 0xab), file: Buffer.alloc(128, 0xcd), options: [opt(61, Array.from({ length: 40 }, (_, i) => i + 1))],
    });
    const quiet = message({ ciaddr: '0.0.0.0', yiaddr: '198.51.100.3', siaddr: '0.0.0.0', giaddr: '0.0.0.0', sname: ZERO_SNAME, file: ZERO_FILE, options: [opt(53, [2])] });
    for (let i = 0; i < 64; i++) {
      encode(busy, { pooled: true, maxSize: 1500 });
      const buf = encode(quiet, { pooled: true, maxSize: 1500 });
      expect([buf.readUInt32BE(12), buf.readUInt32BE(20), buf.readUInt32BE(24)]).toEqual([0, 0, 0]);
      expect(buf.subarray(44, 236).every((b) => b === 0)).toBe(true);
      expect(buf.subarray(243).every((b) => b === 0 || b === 255)).toBe(true);
    }
  });

  it('ignores a caller-supplied option 52', () => {
    const { decoded } = roundTrip(message({ options: [opt(53, [1]), opt(52, [3])] }));
    expect(decoded.options.map((o) => o.code)).toEqual([53]);
  });

  it('treats malformed messages as programmer errors (TypeError), not CodecError', () => {
    expect(() => encode(message({ yiaddr: '198.51.100' }))).toThrow(TypeError);
    expect(() => encode(message({ chaddr: Buffer.alloc(17) }))).toThrow(TypeError);
    expect(() => encode(message({ options: [opt(255, [])] }))).toThrow(TypeError);
    expect(() => encode(message({ options: [opt(0, [])] }))).toThrow(TypeError);
  });
});

describe('encode -> decode -> encode', () => {
  it('gives back the same object and the same bytes', () => {
    const msg = message({
      op: 2, xid: 42, yiaddr: '198.51.100.10', sname: Buffer.concat([Buffer.from('server'), Buffer.alloc(58)]),
      options: [opt(53, [5]), opt(54, [198, 51, 100, 1]), opt(1, [255, 255, 255, 0]), opt(230, []), opt(12, [0x68])],
    });
    const { decoded } = roundTrip(msg);
    expect(decoded).toEqual(msg);
  });

  it('RFC 3396: an option over 255 bytes goes out as consecutive instances and comes back whole', () => {
    const data = Buffer.from(Array.from({ length: 600 }, (_, i) => i % 251));
    const msg = message({ options: [opt(53, [2]), opt(77, data), opt(12, [0x61])] });
    const { bytes, decoded } = roundTrip(msg);
    expect([bytes[243], bytes[244]]).toEqual([77, 255]);
    expect([bytes[243 + 257], bytes[244 + 257]]).toEqual([77, 255]);
    expect([bytes[243 + 514], bytes[244 + 514]]).toEqual([77, 90]);
    expect(decoded.options).toEqual(msg.options);
  });

  it('an option of exactly 255 bytes stays one instance', () => {
    const msg = message({ options: [opt(43, Buffer.alloc(255, 9))] });
    expect(encode(msg).length).toBe(240 + 257 + 1);
  });
});

describe('encode: maxSize and overload', () => {
  const big = (code: number, size: number) => opt(code, Buffer.alloc(size, code));

  it('does not overload when the message fits', () => {
    const msg = message({ options: [opt(53, [2]), big(43, 250)] });
    const buf = encode(msg, { maxSize: 576 });
    expect(buf.length).toBe(240 + 3 + 252 + 1);
    expect(buf.includes(Buffer.from([52, 1]), 240)).toBe(false);
  });

  it('spills into file first, inserting option 52 = 1 in the options field', () => {
    const msg = message({ options: [big(43, 250), opt(53, [2]), big(60, 100), opt(54, [198, 51, 100, 1])] });
    const { bytes, decoded } = roundTrip(msg, 576);
    expect(bytes.length).toBeLessThanOrEqual(576);
    expect([...bytes.subarray(240, 243)]).toEqual([52, 1, 1]);
    expect(bytes[108]).not.toBe(0);
    // 53 and 54 come first and sit in the options field; order is otherwise kept.
    expect(decoded.options.map((o) => o.code)).toEqual([53, 54, 43, 60]);
    expect(decoded.options.find((o) => o.code === 60)?.data).toEqual(Buffer.alloc(100, 60));
    expect(decoded.file.equals(Buffer.alloc(128))).toBe(true);
  });

  it('uses sname when file is taken, and both when needed (52 = 2, 52 = 3)', () => {
    const bootFile = Buffer.concat([Buffer.from('pxelinux.0'), Buffer.alloc(118)]);
    const onlySname = message({ file: bootFile, options: [opt(53, [2]), big(43, 250), big(60, 60)] });
    const a = roundTrip(onlySname, 576);
    expect(a.bytes[242]).toBe(2);
    expect(a.decoded.file.equals(bootFile)).toBe(true);
    expect(a.decoded.options.map((o) => o.code)).toEqual([53, 43, 60]);

    const both = message({ options: [opt(53, [2]), big(43, 250), big(60, 120), big(66, 60)] });
    const b = roundTrip(both, 576);
    expect(b.bytes[242]).toBe(3);
    expect(b.decoded.options).toEqual(both.options);
  });

  it('ends every overloaded field with END', () => {
    const msg = message({ options: [opt(53, [2]), big(43, 250), big(60, 120), big(66, 40)] });
    const bytes = encode(msg, { maxSize: 576 });
    expect(bytes[242]).toBe(3);
    expect(bytes.subarray(108, 236).includes(255)).toBe(true);
    expect(bytes.subarray(44, 108).includes(255)).toBe(true);
  });

  it('splits an option across fields when it fits in no single field (RFC 3396)', () => {
    const msg = message({ options: [opt(53, [2]), big(43, 250), big(77, 200)] });
    const { decoded } = roundTrip(msg, 576);
    expect(decoded.options).toEqual(msg.options);
  });

  it('throws REPLY_TOO_LARGE when even overload cannot make it fit', () => {
    const msg = message({ options: [opt(53, [2]), big(43, 600)] });
    let caught: unknown;
    try {
      encode(msg, { maxSize: 576 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CodecError);
    expect((caught as CodecError).code).toBe('DHCPD_ERR_CODEC_REPLY_TOO_LARGE');
    expect(encode(msg, { maxSize: 1500 }).length).toBeLessThanOrEqual(1500);
  });

  it('throws REPLY_TOO_LARGE when file and sname are both in use', () => {
    const msg = message({ sname: Buffer.from('x'), file: Buffer.from('y'), options: [opt(53, [2]), big(43, 400)] });
    expect(() => encode(msg, { maxSize: 576 })).toThrow(/even with overload/);
  });

  it('treats maxSize below 548 as 548 (RFC 2131 §2)', () => {
    const msg = message({ options: [opt(53, [2]), big(43, 250), big(60, 40)] });
    expect(encode(msg, { maxSize: 100 }).equals(encode(msg, { maxSize: 548 }))).toBe(true);
    expect(encode(msg, { maxSize: 548 }).length).toBeLessThanOrEqual(548);
  });
});
