// The address-text tables: a string made once per address, but always the text of the bytes as they are now.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toColonHex } from '../../../src/codec/hex.js';
import { ipText, TextTable } from '../../../src/codec/interned.js';
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

  it('a text table follows the bytes and the tag: a buffer changed in place, or another one colliding in a slot, gets its own text', () => {
    const table = new TextTable(4, (tag, buf, start, end) => `${tag}/${toColonHex(buf, start, end)}`);
    const mac = Buffer.from([2, 0, 0x5e, 0x10, 0, 1]);
    expect(table.text(1, mac, 0, 6)).toBe('1/02:00:5e:10:00:01');
    expect(table.text(6, mac, 0, 6)).toBe('6/02:00:5e:10:00:01');
    mac[5] = 2;
    expect(table.text(1, mac, 0, 6)).toBe('1/02:00:5e:10:00:02');
    expect(table.text(1, mac, 0, 5)).toBe('1/02:00:5e:10:00');
    expect(table.text(1, mac, 0, 0)).toBe('1/');
    expect(table.text(1, Buffer.alloc(40, 7), 0, 40)).toBe(`1/${toColonHex(Buffer.alloc(40, 7))}`);
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: -1, max: 3 }), fc.uint8Array({ minLength: 0, maxLength: 40 })), { minLength: 1, maxLength: 300 }), (list) => {
      for (const [tag, bytes] of list) expect(table.text(tag, bytes, 0, bytes.length)).toBe(`${tag}/${toColonHex(bytes)}`);
    }), { numRuns: 50 });
  });
});
