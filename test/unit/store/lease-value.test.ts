// The stored lease value: binary records round-trip exactly (with their history range), JSON values of older
// versions still decode, records the binary layout cannot hold stay JSON, and damaged values are reported.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LeaseRecord, LeaseState } from '../../../machines/lease.types.js';
import { decodeLeaseValue, encodeLeaseValue } from '../../../src/store/lease-value.js';
import { encodeRecord } from '../../../src/store/record-codec.js';
import { makeRecord } from './helpers.js';

const STATES: LeaseState[] = ['offered', 'bound', 'renewing', 'rebinding', 'expired', 'released', 'declined', 'reclaimed'];
const time = fc.oneof(fc.constant(0), fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 }), fc.double({ noNaN: true }));

const recordArb: fc.Arbitrary<LeaseRecord> = fc.record({
  state: fc.constantFrom(...STATES),
  ip: fc.nat({ max: 0xffffffff }).map((n) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`),
  subnetId: fc.nat({ max: 0xffffffff }),
  clientKey: fc.string({ minLength: 1, unit: 'grapheme' }),
  hwAddress: fc.string(),
  hostname: fc.option(fc.string({ unit: 'grapheme' }), { nil: undefined }),
  times: fc.array(time, { minLength: 8, maxLength: 8 }),
  timers: fc.array(fc.record({ event: fc.string(), at: time }), { maxLength: 4 }),
}).map(({ state, ip, subnetId, clientKey, hwAddress, hostname, times, timers }) => {
  const [offerExpiresAt, boundAt, renewAt, rebindAt, expiresAt, graceUntil, probationUntil, changedAt] = times as number[];
  return {
    state,
    context: {
      ip, subnetId, clientKey, hwAddress, ...(hostname === undefined ? {} : { hostname }),
      offerExpiresAt: offerExpiresAt!, boundAt: boundAt!, renewAt: renewAt!, rebindAt: rebindAt!, expiresAt: expiresAt!,
      graceUntil: graceUntil!, probationUntil: probationUntil!, changedAt: changedAt!,
    },
    timers,
  };
});

describe('lease value codec', () => {
  it('round-trips any record and history range in binary', () => {
    const range = fc.option(fc.record({ first: fc.nat(), next: fc.nat() }), { nil: undefined });
    fc.assert(fc.property(recordArb, range, (record, history) => {
      const encoded = encodeLeaseValue(record, history);
      expect(encoded[0]).toBe(0xb1);
      const decoded = decodeLeaseValue(encoded);
      expect({ record: decoded.record, history: decoded.history }).toEqual({ record, history });
    }));
  });

  it('is several times smaller than the JSON record', () => {
    const record = makeRecord('198.51.100.1', 'hw:1:02:00:00:00:00:01', { hostname: 'host-1' });
    expect(encodeLeaseValue(record, { first: 0, next: 3 }).length * 2).toBeLessThan(encodeRecord(record).length);
  });

  it('decodes the JSON values older versions stored, without a history range', () => {
    const record = makeRecord('198.51.100.1', 'id:01ff', { hostname: 'h', state: 'declined' });
    const decoded = decodeLeaseValue(Buffer.from(encodeRecord(record)));
    expect({ record: decoded.record, history: decoded.history }).toEqual({ record, history: undefined });
  });

  it('stores as JSON what the binary layout cannot hold exactly', () => {
    const base = makeRecord('198.51.100.1', 'c');
    const odd: LeaseRecord[] = [
      { ...base, context: { ...base.context, extra: 1 } as LeaseRecord['context'] },
      { ...base, context: { ...base.context, subnetId: 2 ** 33 } },
      { ...base, context: { ...base.context, subnetId: -1 } },
      { ...base, context: { ...base.context, hostname: 'x'.repeat(70_000) } },
      // Short in UTF-16 units, over 64 KiB in UTF-8.
      { ...base, context: { ...base.context, hostname: '€'.repeat(21_846) } },
      { ...base, context: { ...base.context, graceUntil: null } } as unknown as LeaseRecord,
      { ...base, note: 'kept' } as LeaseRecord,
    ];
    for (const record of odd) {
      const encoded = encodeLeaseValue(record, { first: 0, next: 1 });
      expect(encoded[0]).toBe(0x7b);
      expect(decodeLeaseValue(encoded).record).toEqual(record);
    }
  });

  it('holds strings up to 64 KiB of UTF-8 in binary, one value after another', () => {
    const base = makeRecord('198.51.100.1', 'c');
    const long = { ...base, context: { ...base.context, hostname: '€'.repeat(21_845) } };
    const short = makeRecord('198.51.100.2', 'd', { hostname: 'h' });
    for (const record of [short, long, short]) {
      const encoded = encodeLeaseValue(record, { first: 1, next: 2 });
      expect(encoded[0]).toBe(0xb1);
      expect(decodeLeaseValue(encoded).record).toEqual(record);
    }
  });

  it('reports damaged values as DHCPD_ERR_STORE_CORRUPT', () => {
    const good = encodeLeaseValue(makeRecord('198.51.100.1', 'c', { hostname: 'h' }), { first: 1, next: 2 });
    const damaged: Uint8Array[] = [
      new Uint8Array(0),
      Uint8Array.of(0x00, 1, 2),
      good.subarray(0, 20),
      good.subarray(0, good.length - 1),
      Buffer.concat([good, Uint8Array.of(0)]),
      Uint8Array.from(good, (byte, i) => (i === 1 ? 99 : byte)),
      Buffer.from('{"state":"bound"'),
    ];
    for (const value of damaged) {
      expect(() => decodeLeaseValue(value)).toThrow(expect.objectContaining({ code: 'DHCPD_ERR_STORE_CORRUPT' }));
    }
  });
});
