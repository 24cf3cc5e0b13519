// The address-text tables: a string made once per address, but always the text of the bytes as they are now.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toColonHex } from '../../../src/codec/hex.js';
import { bytesText, ipText } from '../../../src/codec/interned.js';
import { intToIp, readIp } from '../../../src/codec/ip.js';

describe('interned address text', () => {
  it('gives the same string object for the same address, and the right text for every address', () => {
    expect(ipText(0xc6336414)).toBe('198.51.100.20');
    const a = readIp(Buffer.from([198, 51, 100, 20]), 0);
    expect(intToIp(0xc6336414)).toBe(a);
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (v) => {
      const octets = [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
      expect(intToIp(v)).toBe(octets.join('.'));
      expect(readIp(Buffer.from(octets), 0)).toBe(v === 0 ? '0.0.0.0' : octets.join('.'));
    }));
  });

  it('colon hex follows the bytes: a buffer changed in place, or another one colliding in a slot, gets its own text', () => {
    const mac = Buffer.from([2, 0, 0x5e, 0x10, 0, 1]);
    expect(bytesText(mac, 0, 6, toColonHex)).toBe('02:00:5e:10:00:01');
    mac[5] = 2;
    expect(bytesText(mac, 0, 6, toColonHex)).toBe('02:00:5e:10:00:02');
    expect(bytesText(mac, 0, 5, toColonHex)).toBe('02:00:5e:10:00');
    expect(bytesText(mac, 0, 0, toColonHex)).toBe('');
    fc.assert(fc.property(fc.array(fc.uint8Array({ minLength: 0, maxLength: 20 }), { minLength: 1, maxLength: 3000 }), (list) => {
      for (const bytes of list) expect(bytesText(bytes, 0, bytes.length, toColonHex)).toBe(toColonHex(bytes));
    }), { numRuns: 20 });
  });
});
