// The byte keys of a commit are exactly the UTF-8 of the string keys they replace (the stored layout is unchanged).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HistoryKeyBytes, LeaseKeyBytes } from '../../../src/store/key-bytes.js';
import { uint32Key } from '../../../src/store/keys.js';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

describe('key bytes', () => {
  it('a lease key is the sublevel prefix and the address key', () => {
    const keys = new LeaseKeyBytes('!lease!');
    fc.assert(fc.property(fc.nat({ max: 0xffffffff }), (ip) => {
      expect(text(keys.of(ip))).toBe(`!lease!${uint32Key(ip)}`);
    }));
    expect(text(keys.of(0xffffffff))).toBe('!lease!ffffffff');
    expect(text(keys.of(0))).toBe('!lease!00000000');
  });

  it('a history key is the address key and 12 hex digits of the sequence', () => {
    const keys = new HistoryKeyBytes('!history!');
    const seq = fc.oneof(fc.nat(), fc.integer({ min: 0, max: 16 ** 12 - 1 }));
    fc.assert(fc.property(fc.nat({ max: 0xffffffff }), seq, (ip, n) => {
      expect(text(keys.of(ip, n))).toBe(`!history!${uint32Key(ip)}!${n.toString(16).padStart(12, '0')}`);
    }));
    expect(text(keys.of(0xc6336401, 16 ** 12 - 1))).toBe('!history!c6336401!ffffffffffff');
  });

  it('refuses a sequence 12 hex digits cannot hold', () => {
    const keys = new HistoryKeyBytes('!history!');
    expect(() => keys.of(1, 16 ** 12)).toThrow(RangeError);
    expect(() => keys.of(1, -1)).toThrow(RangeError);
    expect(() => keys.of(1, 1.5)).toThrow(RangeError);
  });
});
