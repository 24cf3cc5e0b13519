// Codec properties: encode/decode round trips (RFC 2131/3396 incl. overload) and total, non-throwing decoding.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CodecError } from '../src/errors.js';
import {
  OPTION_DEFS, decode, decodeOptionValue, decodeRequest, encode, encodeOptionValue, encodedSize, intToIp, toColonHex,
  type DecodeResult, type DhcpMessage, type DhcpOption, type OptionDef,
} from '../src/codec/index.js';

const runs = Number(process.env.PROPERTY_RUNS ?? 200);

/*
 * What the wire cannot represent, and how the expected message is normalised for it:
 * - chaddr/sname/file are fixed-size fields: generated at full size (shorter ones come back zero-padded).
 * - option 52 is framing: never generated (decode consumes it, encode decides it itself).
 * - option codes are unique per message (RFC 3396 concatenation would merge duplicates).
 * - with overload, options 53 and 54 move to the front (they must stay in the options field).
 */
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const ip = u32.map(intToIp);
const bytes = (min: number, max: number, size?: fc.SizeForArbitrary) =>
  fc.uint8Array({ minLength: min, maxLength: max, size }).map((a) => Buffer.from(a));
const zeroOr = (size: number) => fc.oneof(fc.constant(Buffer.alloc(size)), bytes(size, size));
const LABEL_CHARS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'];
const label = fc.string({ unit: fc.constantFrom(...LABEL_CHARS), minLength: 1, maxLength: 12 });
const domain = fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.'));
const ascii = fc.string({ unit: fc.constantFrom(...'abcXYZ019.-_!~'), minLength: 0, maxLength: 30 });

/** A valid JSON-friendly value for each option type, in the exact form decodeOptionValue returns. */
function valueFor(def: OptionDef): fc.Arbitrary<unknown> {
  switch (def.type) {
    case 'ip': return ip;
    case 'ips': return fc.array(ip, { minLength: 1, maxLength: 6 });
    case 'u8': return fc.integer({ min: 0, max: 0xff });
    case 'u16': return fc.integer({ min: 0, max: 0xffff });
    case 'u32': return u32;
    case 'i32': return fc.integer({ min: -0x80000000, max: 0x7fffffff });
    case 'bool': return fc.boolean();
    case 'string': return fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((s) => !s.includes('\0'));
    case 'bytes': return bytes(0, 300).map((b) => toColonHex(b));
    case 'u8s': return fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 });
    case 'routes': return fc.array(route, { minLength: 1, maxLength: 5 });
    case 'domains': return fc.array(domain, { minLength: 1, maxLength: 5 });
    case 'relay-agent':
      return fc.array(fc.record({ code: fc.integer({ min: 1, max: 255 }), data: bytes(0, 20).map((b) => toColonHex(b)) }),
        { minLength: 1, maxLength: 4 });
    case 'client-fqdn': return fqdn;
  }
}

const route = fc.record({ width: fc.integer({ min: 0, max: 32 }), address: u32, router: ip }).map((r) => {
  const mask = r.width === 0 ? 0 : (0xffffffff << (32 - r.width)) >>> 0;
  return { destination: `${intToIp((r.address & mask) >>> 0)}/${r.width}`, router: r.router };
});

const fqdn = fc.record({ flags: fc.integer({ min: 0, max: 255 }), rcode1: fc.integer({ min: 0, max: 255 }),
  rcode2: fc.integer({ min: 0, max: 255 }), dotted: fc.boolean(), name: domain, text: ascii })
  .map(({ flags, rcode1, rcode2, dotted, name, text }) => ({
    flags, rcode1, rcode2, name: flags & 0x04 ? (dotted ? `${name}.` : name) : text.replace(/[^!-~]/g, ''),
  }));

const tableOption: fc.Arbitrary<DhcpOption> = fc.constantFrom(...OPTION_DEFS.filter((d) => d.code !== 52))
  .chain((def) => valueFor(def).map((v) => ({ code: def.code, data: encodeOptionValue(def, v) })));
const unknownOption = fc.record({ code: fc.integer({ min: 160, max: 223 }), data: bytes(0, 40) });
const mediumOption = fc.record({ code: fc.integer({ min: 160, max: 223 }), data: bytes(40, 200, 'max') });
const longOption = fc.record({ code: fc.integer({ min: 224, max: 254 }), data: bytes(256, 700) });
const options = fc.uniqueArray(fc.oneof({ weight: 5, arbitrary: tableOption }, unknownOption, mediumOption, longOption), {
  selector: (o) => o.code, maxLength: 14,
});

const messageArb: fc.Arbitrary<DhcpMessage> = fc.record({
  op: fc.integer({ min: 0, max: 255 }), htype: fc.integer({ min: 0, max: 255 }), hlen: fc.integer({ min: 0, max: 16 }),
  hops: fc.integer({ min: 0, max: 255 }), xid: u32, secs: fc.integer({ min: 0, max: 0xffff }),
  flags: fc.integer({ min: 0, max: 0xffff }), ciaddr: ip, yiaddr: ip, siaddr: ip, giaddr: ip,
  chaddr: bytes(16, 16), sname: zeroOr(64), file: zeroOr(128), options,
});

function ok<T>(res: DecodeResult<T>): T {
  if (!res.ok) throw new Error(`decode failed: ${res.error.code} ${res.error.message}`);
  return res.msg;
}

/** Generous bound on one decode: a pathological loop (a hang on some length byte) fails instead of stalling CI. */
const DECODE_BUDGET_MS = 250;

/** Runs a decoder with a time budget; an exception escapes (and fails the property). */
function timed<T>(decodeFn: (buf: Buffer) => T, buf: Buffer): T {
  const start = performance.now();
  const res = decodeFn(buf);
  const took = performance.now() - start;
  if (took > DECODE_BUDGET_MS) throw new Error(`decode of ${buf.length} bytes took ${took.toFixed(1)} ms`);
  return res;
}

function expectTotal(res: DecodeResult<unknown>): void {
  if (!res.ok) {
    expect(res.error).toBeInstanceOf(CodecError);
    expect(res.error.code).toMatch(/^DHCPD_ERR_CODEC_/);
  }
}

describe('codec round trip', () => {
  it('decode(encode(m)) equals m and re-encoding gives the same bytes', () => {
    fc.assert(fc.property(messageArb, (m) => {
      const bytes = encode(m);
      expect(bytes.length).toBe(encodedSize(m));
      const back = ok(decode(bytes));
      expect(back).toEqual(m);
      expect(encode(back).equals(bytes)).toBe(true);
    }), { numRuns: runs });
  });

  it('with a maxSize: fits, round-trips (53/54 first when overloaded), or throws REPLY_TOO_LARGE', () => {
    // Fixed client limits, and limits just below the message size, where overload has to work.
    const limits = fc.oneof(fc.constantFrom(548, 576, 1500), fc.integer({ min: -20, max: 250 }));
    const seen = { fits: 0, overloaded: 0, tooLarge: 0 };
    fc.assert(fc.property(messageArb, limits, (m, limit) => {
      const maxSize = limit >= 548 ? limit : Math.max(548, encodedSize(m) - limit);
      let bytes: Buffer;
      try {
        bytes = encode(m, { maxSize });
      } catch (error) {
        expect((error as CodecError).code).toBe('DHCPD_ERR_CODEC_REPLY_TOO_LARGE');
        seen.tooLarge++;
        return;
      }
      expect(bytes.length).toBeLessThanOrEqual(maxSize);
      const overloaded = encodedSize(m) > maxSize;
      seen[overloaded ? 'overloaded' : 'fits']++;
      const pinned = (o: DhcpOption) => o.code === 53 || o.code === 54;
      const want = overloaded
        ? { ...m, options: [...m.options.filter(pinned), ...m.options.filter((o) => !pinned(o))] }
        : m;
      const back = ok(decode(bytes));
      expect(back.options).toEqual(want.options);
      expect(encode(back, { maxSize }).equals(bytes)).toBe(true);
    }), { numRuns: runs });
    // Guards against a generator that never reaches the overload path.
    if (runs >= 100) {
      expect(Math.min(seen.fits, seen.overloaded, seen.tooLarge), JSON.stringify(seen)).toBeGreaterThan(0);
    }
  });

  it('decodeOptionValue(encodeOptionValue(v)) gives v back for every table entry', () => {
    const pair = fc.constantFrom(...OPTION_DEFS).chain((def) => valueFor(def).map((v) => [def, v] as const));
    fc.assert(fc.property(pair, ([def, v]) => {
      const res = decodeOptionValue(def, encodeOptionValue(def, v));
      expect(res).toEqual({ ok: true, value: v });
    }), { numRuns: runs * 2 });
  });
});

describe('decode is total', () => {
  it('arbitrary bytes give a message or a DHCPD_ERR_CODEC_* error, never an exception', () => {
    const cookieOrNot = fc.boolean();
    fc.assert(fc.property(bytes(0, 700), cookieOrNot, (buf, withCookie) => {
      if (withCookie && buf.length >= 240) buf.writeUInt32BE(0x63825363, 236);
      expectTotal(timed(decode, buf));
      expectTotal(timed(decodeRequest, buf));
      const res = decode(buf);
      // Whatever decodes also re-encodes, and the re-encoded form is a fixed point.
      if (res.ok) expect(ok(decode(encode(res.msg)))).toEqual(res.msg);
    }), { numRuns: runs * 2 });
  });

  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('length' as const), nth: fc.nat(20), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), extra: bytes(1, 8) }),
  );
  type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

  function mutate(buf: Buffer, m: Mutation): Buffer {
    switch (m.kind) {
      case 'truncate': return buf.subarray(0, m.at % (buf.length + 1));
      case 'flip': {
        const out = Buffer.from(buf);
        out[m.at % out.length] = m.value;
        return out;
      }
      case 'length': {
        // Rewrites the length byte of the nth option of the options field.
        const out = Buffer.from(buf);
        for (let pos = 240, i = 0; pos + 1 < out.length && out[pos] !== 255; i++) {
          if (out[pos] === 0) { pos++; continue; }
          if (i === m.nth) { out[pos + 1] = m.value; break; }
          pos += 2 + (out[pos + 1] as number);
        }
        return out;
      }
      case 'insert': {
        const at = m.at % (buf.length + 1);
        return Buffer.concat([buf.subarray(0, at), m.extra, buf.subarray(at)]);
      }
    }
  }

  it('mutated valid packets (truncated, flipped, wrong lengths, inserted bytes) never throw', () => {
    const sizes = fc.constantFrom(undefined, 548, 576);
    fc.assert(fc.property(messageArb, sizes, fc.array(mutation, { minLength: 1, maxLength: 4 }), (m, maxSize, ms) => {
      let buf: Buffer;
      try {
        buf = encode(m, maxSize === undefined ? undefined : { maxSize });
      } catch {
        buf = encode(m);
      }
      for (const mu of ms) buf = mutate(buf, mu);
      expectTotal(timed(decode, buf));
      expectTotal(timed(decodeRequest, buf));
    }), { numRuns: runs });
  });

  it('the totality check can fail: it catches a decoder that throws on truncated packets', () => {
    const broken = (buf: Buffer) => {
      if (buf.length < 240) throw new RangeError('offset is outside the bounds of the buffer');
      return decode(buf);
    };
    const details = fc.check(fc.property(messageArb, fc.nat(), (m, at) => {
      const buf = encode(m);
      expectTotal(timed(broken, buf.subarray(0, at % (buf.length + 1))));
    }), { numRuns: 200, seed: 7 });
    expect(details.failed).toBe(true);
  });

  it('decodeOptionValue never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.constantFrom(...OPTION_DEFS), bytes(0, 300), (def, data) => {
      const res = decodeOptionValue(def, data);
      if (!res.ok) expect(res.error.code).toBe('DHCPD_ERR_CODEC_BAD_OPTION_VALUE');
    }), { numRuns: runs * 2 });
  });
});
