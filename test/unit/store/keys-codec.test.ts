// Address keys sort like addresses; the record codec round-trips and rejects what rehydration cannot use.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressKey, ipToInt32, ipToUint32, keyToIp } from '../../../src/store/keys.js';
import { decodeRecord, encodeRecord } from '../../../src/store/record-codec.js';
import { makeRecord } from './helpers.js';

const dotted = (n: number): string => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

describe('address keys', () => {
  it('round-trip and sort in numeric order', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), (a, b) => {
        expect(keyToIp(addressKey(dotted(a)))).toBe(dotted(a));
        expect(Math.sign(addressKey(dotted(a)).localeCompare(addressKey(dotted(b))))).toBe(Math.sign(a - b));
      }),
    );
    expect(addressKey('0.0.0.0')).toBe('00000000');
    expect(addressKey('255.255.255.255')).toBe('ffffffff');
  });

  it('refuse what is not a canonical dotted quad', () => {
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.-4', ' 1.2.3.4', '1.2.3.4 ', '1e2.0.0.0']) {
      expect(ipToUint32(bad), bad).toBeUndefined();
      expect(() => addressKey(bad)).toThrow(TypeError);
    }
    expect(keyToIp('0000000g')).toBeUndefined();
    expect(keyToIp('1234567')).toBeUndefined();
  });
});

describe('record codec', () => {
  it('round-trips a record, from a string and from bytes', () => {
    const record = makeRecord('198.51.100.1', 'id:01ff', { hostname: 'h', state: 'declined' });
    const encoded = encodeRecord(record);
    expect(decodeRecord(encoded)).toEqual(record);
    expect(decodeRecord(new TextEncoder().encode(encoded))).toEqual(record);
  });

  it('rejects damaged records with DHCPD_ERR_STORE_CORRUPT', () => {
    const good = JSON.parse(encodeRecord(makeRecord('198.51.100.1', 'c'))) as Record<string, unknown>;
    const ctx = good.context as Record<string, unknown>;
    const damaged: unknown[] = [
      '{"state":"bound"',
      'null',
      '[]',
      { ...good, state: 'dreaming' },
      { ...good, timers: undefined },
      { ...good, context: null },
      { ...good, context: { ...ctx, ip: 7 } },
      { ...good, context: { ...ctx, subnetId: '1' } },
      { ...good, context: { ...ctx, subnetId: 1.5 } },
      { ...good, context: { ...ctx, clientKey: '' } },
    ];
    for (const value of damaged) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      expect(() => decodeRecord(text), text).toThrow(expect.objectContaining({ code: 'DHCPD_ERR_STORE_CORRUPT' }));
    }
  });
});

describe('ipToUint32', () => {
  it('accepts exactly the canonical dotted quads', () => {
    const canonical = /^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/;
    fc.assert(fc.property(fc.stringMatching(/^[0-9.a+ -]{0,17}$/), (text) => {
      const parts = text.split('.').map(Number);
      const valid = canonical.test(text) && parts.every((p) => p <= 255);
      expect(ipToUint32(text)).toBe(valid ? parts.reduce((v, p) => v * 256 + p, 0) : undefined);
      expect(ipToInt32(text)).toBe(valid ? parts.reduce((v, p) => v * 256 + p, 0) | 0 : undefined);
    }), { numRuns: 5000 });
  });

  it('ipToInt32 is the same 32 bits as a signed integer, for every address', () => {
    fc.assert(fc.property(fc.nat({ max: 0xffffffff }), (n) => {
      const text = `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
      expect(ipToUint32(text)).toBe(n);
      expect(ipToInt32(text)).toBe(n | 0);
    }));
    expect(ipToInt32('255.255.255.255')).toBe(-1);
    expect(ipToInt32('128.0.0.0')).toBe(-(2 ** 31));
  });
});
