// decode/decodeRequest: header fields, option scanning, RFC 3396 concatenation, overload, and every error code.
import { describe, expect, it } from 'vitest';
import { decode, decodeRequest, MessageType, type DecodeResult } from '../../../src/codec/index.js';
import { rawPacket } from './helpers.js';

function errorCode(res: DecodeResult<unknown>): string | undefined {
  return res.ok ? undefined : res.error.code;
}

function ok<T>(res: DecodeResult<T>): T {
  if (!res.ok) throw new Error(`expected ok, got ${res.error.code}: ${res.error.message}`);
  return res.msg;
}

describe('decode: header', () => {
  it('reads every fixed field', () => {
    const buf = rawPacket([53, 1, 3, 255], (b) => {
      b[3] = 2;
      b.writeUInt16BE(7, 8);
      b.writeUInt16BE(0x8000, 10);
      Buffer.from([198, 51, 100, 7]).copy(b, 12);
      Buffer.from([198, 51, 100, 8]).copy(b, 16);
      Buffer.from([198, 51, 100, 9]).copy(b, 20);
      Buffer.from([198, 51, 100, 1]).copy(b, 24);
      b.write('srv', 44, 'latin1');
      b.write('boot.bin', 108, 'latin1');
    });
    const msg = ok(decode(buf));
    expect(msg).toMatchObject({
      op: 1, htype: 1, hlen: 6, hops: 2, xid: 0x01020304, secs: 7, flags: 0x8000,
      ciaddr: '198.51.100.7', yiaddr: '198.51.100.8', siaddr: '198.51.100.9', giaddr: '198.51.100.1',
    });
    expect(msg.chaddr.toString('hex')).toBe('525400123456' + '00'.repeat(10));
    expect(msg.sname.length).toBe(64);
    expect(msg.sname.toString('latin1', 0, 3)).toBe('srv');
    expect(msg.file.length).toBe(128);
    expect(msg.file.toString('latin1', 0, 8)).toBe('boot.bin');
  });

  it('keeps sname or file whose only non-zero byte is anywhere in it, and shares the zero field otherwise', () => {
    for (const [offset, length] of [[44, 64], [108, 128]] as const) {
      for (const at of [0, 1, 7, 8, length - 9, length - 1]) {
        const msg = ok(decode(rawPacket([53, 1, 1, 255], (b) => void (b[offset + at] = 0x41))));
        const field = offset === 44 ? msg.sname : msg.file;
        expect(field.length).toBe(length);
        expect(field[at]).toBe(0x41);
        expect(field.subarray(at + 1).every((v) => v === 0) && field.subarray(0, at).every((v) => v === 0)).toBe(true);
      }
    }
    const plain = ok(decode(rawPacket([53, 1, 1, 255])));
    expect(ok(decode(rawPacket([53, 1, 1, 255]))).sname).toBe(plain.sname);
    expect(ok(decode(rawPacket([53, 1, 1, 255]))).file).toBe(plain.file);
  });

  it('copies: reusing the input buffer does not change a decoded message', () => {
    const buf = rawPacket([53, 1, 1, 61, 3, 1, 2, 3, 255]);
    const msg = ok(decode(buf));
    buf.fill(0xee);
    expect(msg.chaddr.subarray(0, 6).toString('hex')).toBe('525400123456');
    expect(msg.options[1]?.data.toString('hex')).toBe('010203');
    expect(msg.sname.every((b) => b === 0)).toBe(true);
  });

  it('copies into a buffer of its own size, not a slice of a shared 8 KiB pool slab a held message would pin', () => {
    const msg = ok(decode(rawPacket([53, 1, 1, 255])));
    expect(msg.chaddr.buffer.byteLength).toBe(244);
  });

  it('a buffer handed over is used as it is when it owns its memory (a datagram), and copied when it is a pool slice', () => {
    const own = Buffer.allocUnsafeSlow(244);
    rawPacket([53, 1, 1, 255]).copy(own);
    const viewed = ok(decode(own, { handOver: true }));
    expect(viewed.chaddr.buffer).toBe(own.buffer);
    expect(ok(decode(own)).chaddr.buffer).not.toBe(own.buffer); // not handed over: copied
    const slice = rawPacket([53, 1, 1, 255]);
    expect(slice.buffer.byteLength).toBeGreaterThan(244); // rawPacket allocates from the pool
    expect(ok(decode(slice, { handOver: true })).chaddr.buffer.byteLength).toBe(244);
    expect(ok(decodeRequest(own, { handOver: true })).chaddr.buffer).toBe(own.buffer);
  });

  it('a view handed over with keepView stays a view of its batch (no copy per datagram)', () => {
    const batch = Buffer.allocUnsafeSlow(1000);
    const view = batch.subarray(100, 344);
    rawPacket([53, 1, 1, 255]).copy(view);
    const msg = ok(decodeRequest(view, { handOver: true, keepView: true }));
    expect(msg.chaddr.buffer).toBe(batch.buffer);
    expect(msg.type).toBe(1);
    expect(ok(decode(view, { keepView: true })).chaddr.buffer).not.toBe(batch.buffer); // not handed over: copied
  });

  it('accepts a plain Uint8Array', () => {
    const buf = rawPacket([53, 1, 1, 255]);
    expect(decode(new Uint8Array(buf) as Buffer).ok).toBe(true);
  });
});

describe('decode: options', () => {
  it('skips pads, stops at END and ignores what follows it', () => {
    const msg = ok(decode(rawPacket([0, 0, 53, 1, 1, 0, 12, 2, 0x68, 0x69, 255, 99, 200, 1])));
    expect(msg.options.map((o) => o.code)).toEqual([53, 12]);
    expect(msg.options[1]?.data.toString()).toBe('hi');
  });

  it('tolerates a missing END exactly at the end of the buffer', () => {
    const msg = ok(decode(rawPacket([53, 1, 1, 12, 1, 0x61])));
    expect(msg.options.map((o) => o.code)).toEqual([53, 12]);
  });

  it('keeps unknown codes and zero-length options as raw bytes', () => {
    const msg = ok(decode(rawPacket([200, 2, 9, 8, 201, 0, 255])));
    expect(msg.options).toEqual([
      { code: 200, data: Buffer.from([9, 8]) },
      { code: 201, data: Buffer.alloc(0) },
    ]);
  });

  it('RFC 3396: concatenates instances of one code, in order, at the place of the first', () => {
    const msg = ok(decode(rawPacket([119, 2, 1, 2, 53, 1, 1, 119, 1, 3, 12, 1, 0x61, 119, 2, 4, 5, 255])));
    expect(msg.options.map((o) => o.code)).toEqual([119, 53, 12]);
    expect([...(msg.options[0]?.data ?? [])]).toEqual([1, 2, 3, 4, 5]);
  });

  it('RFC 3396: a joined option is a buffer of its own size, not a slice of a pool slab a held message would pin', () => {
    // Random options repeat codes; joined into pool slices, those pinned
    // 8 KiB each for as long as the exchange held the message (bench/hostile/memory.bench.ts found 13 MB of them).
    const msg = ok(decode(rawPacket([119, 2, 1, 2, 53, 1, 1, 119, 1, 3, 255])));
    expect(msg.options[0]?.data.buffer.byteLength).toBe(3);
  });

  it('RFC 3397 §3 example: the search list split over three option 119 instances', () => {
    const instances = [
      [119, 9, 3, 0x65, 0x6e, 0x67, 5, 0x61, 0x70, 0x70, 0x6c],
      [119, 9, 0x65, 3, 0x63, 0x6f, 0x6d, 0, 9, 0x6d, 0x61],
      [119, 9, 0x72, 0x6b, 0x65, 0x74, 0x69, 0x6e, 0x67, 0xc0, 0x04],
    ].flat();
    const msg = ok(decode(rawPacket([...instances, 255])));
    expect(msg.options).toHaveLength(1);
    expect(msg.options[0]?.data.length).toBe(27);
  });
});

describe('decode: option overload (RFC 2132 §9.3)', () => {
  function overloaded(value: number, patch: (b: Buffer) => void): Buffer {
    return rawPacket([52, 1, value, 53, 1, 1, 255], patch);
  }

  it('parses file (1) as options, zeroes it in the result and drops option 52', () => {
    const msg = ok(decode(overloaded(1, (b) => Buffer.from([12, 2, 0x68, 0x6f, 255]).copy(b, 108))));
    expect(msg.options.map((o) => o.code)).toEqual([53, 12]);
    expect(msg.file.equals(Buffer.alloc(128))).toBe(true);
  });

  it('parses sname (2) as options and leaves file alone', () => {
    const msg = ok(
      decode(
        overloaded(2, (b) => {
          Buffer.from([15, 1, 0x78, 255]).copy(b, 44);
          b.write('pxe.0', 108, 'latin1');
        }),
      ),
    );
    expect(msg.options.map((o) => o.code)).toEqual([53, 15]);
    expect(msg.sname.equals(Buffer.alloc(64))).toBe(true);
    expect(msg.file.toString('latin1', 0, 5)).toBe('pxe.0');
  });

  it('with 3 parses file then sname and concatenates across fields in that order', () => {
    const buf = rawPacket([52, 1, 3, 53, 1, 1, 43, 1, 0xa1, 255], (b) => {
      Buffer.from([43, 1, 0xb2, 255]).copy(b, 108);
      Buffer.from([43, 1, 0xc3]).copy(b, 44); // missing END at the end of sname is tolerated too
    });
    const msg = ok(decode(buf));
    expect(msg.options.map((o) => o.code)).toEqual([53, 43]);
    expect(msg.options[1]?.data.toString('hex')).toBe('a1b2c3');
  });

  it('ignores option 52 found inside an overloaded field', () => {
    const msg = ok(decode(overloaded(1, (b) => Buffer.from([52, 1, 2, 12, 1, 0x61, 255]).copy(b, 108))));
    expect(msg.options.map((o) => o.code)).toEqual([53, 12]);
  });

  it.each([[0], [4], [255]])('rejects value %i with BAD_OVERLOAD', (value) => {
    expect(errorCode(decode(overloaded(value, () => {})))).toBe('DHCPD_ERR_CODEC_BAD_OVERLOAD');
  });

  it('rejects a two-byte option 52 with BAD_OVERLOAD', () => {
    expect(errorCode(decode(rawPacket([52, 2, 1, 1, 255])))).toBe('DHCPD_ERR_CODEC_BAD_OVERLOAD');
  });

  it('reports an overrun inside an overloaded field', () => {
    const buf = overloaded(1, (b) => Buffer.from([12, 200, 0x61]).copy(b, 108));
    expect(errorCode(decode(buf))).toBe('DHCPD_ERR_CODEC_OPTION_OVERRUN');
  });
});

describe('decode: errors', () => {
  it('TRUNCATED below 240 bytes, including the empty buffer', () => {
    expect(errorCode(decode(Buffer.alloc(0)))).toBe('DHCPD_ERR_CODEC_TRUNCATED');
    expect(errorCode(decode(rawPacket([]).subarray(0, 239)))).toBe('DHCPD_ERR_CODEC_TRUNCATED');
    expect(decode(rawPacket([])).ok).toBe(true);
  });

  it('BAD_COOKIE when the cookie is not 99.130.83.99', () => {
    const res = decode(rawPacket([255], (b) => (b[239] = 98)));
    expect(errorCode(res)).toBe('DHCPD_ERR_CODEC_BAD_COOKIE');
    expect(res.ok ? '' : res.error.message).toContain('99.130.83.98');
  });

  it('BAD_HLEN above 16, but 16 is fine', () => {
    expect(errorCode(decode(rawPacket([255], (b) => (b[2] = 17))))).toBe('DHCPD_ERR_CODEC_BAD_HLEN');
    expect(decode(rawPacket([255], (b) => (b[2] = 16))).ok).toBe(true);
  });

  it('OPTION_OVERRUN when the data runs past the end, even after option 53', () => {
    const res = decode(rawPacket([53, 1, 1, 12, 5, 0x61, 0x62]));
    expect(errorCode(res)).toBe('DHCPD_ERR_CODEC_OPTION_OVERRUN');
    expect(res.ok ? undefined : res.error.details).toMatchObject({ option: 12, offset: 243 });
  });

  it('OPTION_OVERRUN when the length byte itself is missing', () => {
    expect(errorCode(decode(rawPacket([53, 1, 1, 12])))).toBe('DHCPD_ERR_CODEC_OPTION_OVERRUN');
  });

  it('results are CodecError instances with the parse category', () => {
    const res = decode(Buffer.alloc(10));
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.error.name).toBe('CodecError');
      expect(res.error.category).toBe('parse');
    }
  });
});

describe('decodeRequest', () => {
  it('sets type for each known message type', () => {
    for (let t = 1; t <= 8; t++) {
      expect(ok(decodeRequest(rawPacket([53, 1, t, 255]))).type).toBe(t as MessageType);
    }
  });

  it('NOT_REQUEST for a BOOTREPLY', () => {
    const res = decodeRequest(rawPacket([53, 1, 2, 255], (b) => (b[0] = 2)));
    expect(errorCode(res)).toBe('DHCPD_ERR_CODEC_NOT_REQUEST');
  });

  it('NO_MESSAGE_TYPE when option 53 is missing (BOOTP) or not one byte', () => {
    expect(errorCode(decodeRequest(rawPacket([12, 1, 0x61, 255])))).toBe('DHCPD_ERR_CODEC_NO_MESSAGE_TYPE');
    expect(errorCode(decodeRequest(rawPacket([53, 2, 1, 1, 255])))).toBe('DHCPD_ERR_CODEC_NO_MESSAGE_TYPE');
    expect(errorCode(decodeRequest(rawPacket([53, 0, 255])))).toBe('DHCPD_ERR_CODEC_NO_MESSAGE_TYPE');
  });

  it('UNKNOWN_MESSAGE_TYPE outside 1..8', () => {
    for (const t of [0, 9, 13, 255]) {
      expect(errorCode(decodeRequest(rawPacket([53, 1, t, 255])))).toBe('DHCPD_ERR_CODEC_UNKNOWN_MESSAGE_TYPE');
    }
  });

  it('passes decode errors through', () => {
    expect(errorCode(decodeRequest(Buffer.alloc(100)))).toBe('DHCPD_ERR_CODEC_TRUNCATED');
  });
});
