// A stored value applied to a table (what a start after a crash does for every delta entry and journalled address):
// the flat path that packs a binary value as it reads it (readFlatValue, PackedLeases.packFlat) must leave the table
// exactly as decoding the value into a record and packing that does, whatever the value: the usual shape, strings
// that are not ASCII, a hostname, more timers than the columns hold, a JSON value of an older version, a damaged or
// truncated one, one stored under another address, none at all.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LeaseRecord, LeaseState } from '../../../machines/lease.types.js';
import { intToIp } from '../../../src/codec/index.js';
import { FlatLease } from '../../../src/lease-columns/flat-lease.js';
import { PackedLeases } from '../../../src/lease-columns/packed-leases.js';
import { encodeLeaseValue, readFlatValue } from '../../../src/store/lease-value.js';
import { encodeRecord } from '../../../src/store/record-codec.js';
import { applyThroughRecord, applyValue } from '../../../src/store/snapshot-changes.js';
import { makeRecord } from './helpers.js';

const STATES: LeaseState[] = ['offered', 'bound', 'renewing', 'rebinding', 'expired', 'released', 'declined', 'reclaimed'];
const BASE_IP = 0xc6336400; // 198.51.100.0
const NOW = 1_700_000_000_000;
const time = fc.oneof(fc.constant(0), fc.integer({ min: NOW - 10_000_000, max: NOW + 100_000_000 }), fc.double());
const macArb = fc.constantFrom('02:00:00:00:00:01', '02:00:00:00:00:02', '', 'ab');
const keyArb = fc.oneof(
  macArb.filter((mac) => mac !== '').map((mac) => `hw:1:${mac}`),
  fc.constantFrom('id:01ff', 'c', 'hw:1:02:00:00:00:00:01x'),
  fc.string({ minLength: 1, unit: 'grapheme' }),
);

const recordArb: fc.Arbitrary<LeaseRecord> = fc.record({
  state: fc.constantFrom(...STATES),
  ip: fc.nat({ max: 7 }),
  subnetId: fc.nat({ max: 3 }),
  clientKey: keyArb,
  hwAddress: fc.oneof(macArb, fc.string({ unit: 'grapheme' })),
  hostname: fc.option(fc.string({ unit: 'grapheme' }), { nil: undefined }),
  times: fc.array(time, { minLength: 8, maxLength: 8 }),
  timers: fc.array(fc.record({ event: fc.constantFrom('T1', 'T2', 'EXPIRE', 'OFFER_TIMEOUT'), at: time }), { maxLength: 5 }),
}).map(({ state, ip, subnetId, clientKey, hwAddress, hostname, times, timers }) => {
  const [offerExpiresAt, boundAt, renewAt, rebindAt, expiresAt, graceUntil, probationUntil, changedAt] = times as number[];
  return {
    state,
    context: {
      ip: intToIp(BASE_IP + ip), subnetId, clientKey, hwAddress, ...(hostname === undefined ? {} : { hostname }),
      offerExpiresAt: offerExpiresAt!, boundAt: boundAt!, renewAt: renewAt!, rebindAt: rebindAt!, expiresAt: expiresAt!,
      graceUntil: graceUntil!, probationUntil: probationUntil!, changedAt: changedAt!,
    },
    timers,
  };
});

/** A value as a store may hold it under the address `at`, or none. */
const valueArb: fc.Arbitrary<{ at: number; value: Uint8Array | undefined }> = fc.record({
  record: recordArb,
  history: fc.option(fc.record({ first: fc.nat(), next: fc.nat() }), { nil: undefined }),
  form: fc.constantFrom('binary', 'binary', 'binary', 'json', 'truncated', 'damaged', 'other address', 'none'),
  cut: fc.nat(),
}).map(({ record, history, form, cut }) => {
  const at = Number(record.context.ip.split('.').at(-1)) + BASE_IP;
  const binary = encodeLeaseValue(record, history);
  switch (form) {
    case 'json': return { at, value: Buffer.from(encodeRecord(record)) };
    case 'truncated': return { at, value: binary.subarray(0, cut % binary.length) };
    case 'damaged': return { at, value: Uint8Array.from(binary, (byte, i) => (i === cut % binary.length ? byte ^ 0x5a : byte)) };
    case 'other address': return { at: BASE_IP + ((at - BASE_IP + 1) % 8), value: binary };
    case 'none': return { at, value: undefined };
    default: return { at, value: binary };
  }
});

/** A table of the first records, loaded from its columns as a snapshot's is (its client keys in a blob). */
function loaded(records: readonly LeaseRecord[]): PackedLeases {
  const packed = new PackedLeases();
  for (const record of records) packed.pack(record);
  return PackedLeases.fromColumns(packed.columns());
}

function contentOf(table: PackedLeases): unknown[] {
  const out: unknown[] = [];
  for (let ip = BASE_IP; ip < BASE_IP + 8; ip++) out.push([table.get(ip), table.clientHashOf(ip)]);
  return out;
}

describe('a stored value applied to a table', () => {
  it('leaves the table as decoding it into a record and packing that does', () => {
    let flat = 0;
    fc.assert(fc.property(fc.array(recordArb, { maxLength: 8 }), fc.array(valueArb, { maxLength: 12 }), (base, values) => {
      const fast = loaded(base.filter((r) => r.timers.length <= 4));
      const slow = loaded(base.filter((r) => r.timers.length <= 4));
      const fastRange = new Float64Array(2);
      const slowRange = new Float64Array(2);
      for (const { at, value } of values) {
        if (value !== undefined && readFlatValue(value, at, new FlatLease())) flat++;
        const applied = applyValue(fast, at, value, fastRange);
        expect(applied).toBe(applyThroughRecord(slow, at, value, slowRange));
        if (applied === 'unpackable') return;
        if (applied === 'packed') expect([...fastRange]).toEqual([...slowRange]);
        expect(contentOf(fast)).toEqual(contentOf(slow));
      }
      expect(fast.size).toBe(slow.size);
      // The same columns once exported, the keys a blob again.
      expect(fast.columns()).toEqual(slow.columns());
    }), { numRuns: 300 });
    // The flat path ran, or the property says nothing of it.
    expect(flat).toBeGreaterThan(100);
  });

  it('reads the usual binary value flat, and leaves every other shape to the record path', () => {
    const ip = BASE_IP + 1;
    const usual = makeRecord(intToIp(ip), 'hw:1:02:00:00:00:00:01');
    const into = new FlatLease();
    expect(readFlatValue(encodeLeaseValue(usual, { first: 3, next: 9 }), ip, into)).toBe(true);
    expect([into.ip, into.first, into.next, into.state, into.timerCount]).toEqual([ip, 3, 9, 'bound', usual.timers.length]);
    const refused = [
      Buffer.from(encodeRecord(usual)),
      encodeLeaseValue(makeRecord(intToIp(ip), 'hw:1:é'), undefined),
      encodeLeaseValue({ ...usual, timers: Array.from({ length: 5 }, (_, i) => ({ event: 'T1', at: NOW + i })) }, undefined),
      encodeLeaseValue(usual, undefined).subarray(0, 80),
    ];
    for (const value of refused) expect(readFlatValue(value, ip, into)).toBe(false);
    expect(readFlatValue(encodeLeaseValue(usual, undefined), ip + 1, into)).toBe(false);
  });
});
