// A stored history entry: binary entries round-trip exactly, entries the layout cannot hold stay JSON, the JSON
// entries of older versions (one object, or an array) still read, and damaged ones read as nothing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LeaseTransition } from '../../../machines/lease.types.js';
import { decodeHistoryEntry, encodeHistoryEntry, newestAt } from '../../../src/store/history-entry.js';

const ipArb = fc.nat({ max: 0xffffffff }).map((n) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`);
const transitionArb: fc.Arbitrary<LeaseTransition> = fc.record({
  at: fc.oneof(fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 }), fc.double({ noNaN: true, noDefaultInfinity: true })),
  ip: ipArb,
  subnetId: fc.nat({ max: 0xffffffff }),
  clientKey: fc.string({ unit: 'grapheme' }),
  from: fc.string(),
  to: fc.string(),
  event: fc.string({ unit: 'grapheme' }),
  xid: fc.option(fc.nat({ max: 0xffffffff }), { nil: undefined }),
  message: fc.option(fc.string({ unit: 'grapheme', maxLength: 200 }), { nil: undefined }),
}).map(({ xid, message, ...rest }) => ({ ...rest, ...(xid === undefined ? {} : { xid }), ...(message === undefined ? {} : { message }) }));

const offer: LeaseTransition = {
  at: 1_700_000_000_000, ip: '198.51.100.10', subnetId: 1, clientKey: 'hw:1:02:00:5e:10:00:01', from: 'none', to: 'offered',
  event: 'lease.offer', xid: 7, message: 'DHCPDISCOVER from 02:00:5e:10:00:01 via 203.0.113.1',
};
const ack: LeaseTransition = { ...offer, at: 1_700_000_000_004, from: 'offered', to: 'bound', event: 'lease.commit', xid: 8 };

describe('history entry codec', () => {
  it('round-trips any transitions in binary, with the fields JSON would give back', () => {
    fc.assert(fc.property(fc.array(transitionArb, { minLength: 1, maxLength: 5 }), (transitions) => {
      const encoded = encodeHistoryEntry(transitions);
      expect(encoded[0]).toBe(0xb2);
      const decoded = decodeHistoryEntry(encoded.slice());
      expect(decoded).toEqual(transitions);
      expect(decoded?.map((t) => Object.keys(t))).toEqual(transitions.map((t) => Object.keys(t)));
    }));
  });

  it('writes an offer and its ACK in under two thirds of the bytes of their JSON', () => {
    const encoded = encodeHistoryEntry([offer, ack]);
    expect(encoded.length).toBeLessThan((Buffer.byteLength(JSON.stringify([offer, ack])) * 2) / 3);
    expect(decodeHistoryEntry(encoded)).toEqual([offer, ack]);
  });

  it('keeps as JSON what the layout cannot hold exactly', () => {
    const odd: LeaseTransition[] = [
      { ...offer, subnetId: 2 ** 32 }, { ...offer, subnetId: 1.5 }, { ...offer, xid: -1 }, { ...offer, ip: '010.0.0.1' },
      { ...offer, clientKey: 'x'.repeat(70_000) },
    ];
    for (const transition of odd) {
      const encoded = encodeHistoryEntry([ack, transition]);
      expect(encoded[0]).toBe(0x5b); // "["
      expect(decodeHistoryEntry(encoded)).toEqual([ack, transition]);
    }
  });

  it('reads the JSON entries of older versions: one transition, or an array of them', () => {
    expect(decodeHistoryEntry(Buffer.from(JSON.stringify(offer)))).toEqual([offer]);
    expect(decodeHistoryEntry(Buffer.from(JSON.stringify([offer, ack])))).toEqual([offer, ack]);
    expect(decodeHistoryEntry(Buffer.from('{"at":1}'))).toBeUndefined();
    expect(decodeHistoryEntry(Buffer.from('[]'))).toBeUndefined();
    expect(decodeHistoryEntry(Buffer.from('not json'))).toBeUndefined();
  });

  it('reads a truncated or padded binary entry as nothing, never as other transitions', () => {
    const encoded = encodeHistoryEntry([offer, ack]).slice();
    for (let length = 0; length < encoded.length; length++) expect(decodeHistoryEntry(encoded.subarray(0, length))).toBeUndefined();
    expect(decodeHistoryEntry(Buffer.concat([encoded, Buffer.from([0])]))).toBeUndefined();
  });

  it('returns bytes the next entry writes again (a batch put copies them at once)', () => {
    const first = encodeHistoryEntry([offer]);
    const copy = first.slice();
    encodeHistoryEntry([{ ...offer, clientKey: 'hw:1:02:00:5e:10:00:02' }]);
    expect(first).not.toEqual(copy);
  });

  it('reads the newest transition time of an entry off its bytes, as decoding it would give', () => {
    const newest = (ts: readonly LeaseTransition[]) => Math.max(...ts.map((t) => t.at));
    fc.assert(fc.property(fc.array(transitionArb, { minLength: 1, maxLength: 5 }), (transitions) => {
      const encoded = encodeHistoryEntry(transitions).slice();
      expect(newestAt(encoded) === newest(transitions)).toBe(true); // === : -0 and 0 are the same time
      for (let length = 0; length < encoded.length; length += 7) expect(newestAt(encoded.subarray(0, length))).toBeUndefined();
      expect(newestAt(Buffer.concat([encoded, Buffer.from([0])]))).toBeUndefined();
    }));
    expect(newestAt(Buffer.from(JSON.stringify(offer)))).toBe(offer.at);
    expect(newestAt(Buffer.from(JSON.stringify([ack, offer])))).toBe(ack.at);
    expect(newestAt(Buffer.from('not json'))).toBeUndefined();
  });
});
