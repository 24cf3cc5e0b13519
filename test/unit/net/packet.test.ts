import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildUdpIpv4, internetChecksum, MAX_UDP_PAYLOAD } from '../../../src/net/packet.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('internetChecksum (RFC 1071)', () => {
  it('matches the classic IPv4 header example (checksum field zeroed -> 0xb861)', () => {
    expect(internetChecksum(hex('4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7'))).toBe(0xb861);
  });

  it('matches the RFC 1071 §3 worked example (sum 0xddf2 -> checksum 0x220d)', () => {
    expect(internetChecksum(hex('0001 f203 f4f5 f6f7'))).toBe(0x220d);
  });

  it('pads an odd trailing byte with zero', () => {
    expect(internetChecksum(hex('0001 f203 f4f5 f6'))).toBe(internetChecksum(hex('0001 f203 f4f5 f600')));
  });

  it('folds carries of large buffers without 32-bit wrap-around', () => {
    const big = Buffer.alloc(65_534, 0xff);
    expect(internetChecksum(big)).toBe(0);
  });
});

describe('buildUdpIpv4', () => {
  const base = { source: '198.51.100.1', destination: '198.51.100.50', sourcePort: 67, destinationPort: 68 };

  it('writes every byte: the same datagram whatever Node\'s pool held before (its memory is not zeroed)', () => {
    const payload = Buffer.from('actor-dhcpd reply');
    const clean = Buffer.from(buildUdpIpv4({ ...base, payload }));
    for (let i = 0; i < 64; i++) Buffer.allocUnsafe(128).fill(0xa5); // dirty the pool
    expect(buildUdpIpv4({ ...base, payload }).equals(clean)).toBe(true);
    expect(internetChecksum(clean, 0, 20)).toBe(0);
  });

  it('builds the datagram an independent implementation builds (IP + UDP checksums)', () => {
    const built = buildUdpIpv4({ ...base, payload: Buffer.from('actor-dhcpd') });
    expect(built.toString('hex')).toBe('45000027000040004011e62bc6336401c633643200430044001336cd6163746f722d6468637064');
  });

  it('produces headers that verify: IP header sums to zero, UDP with pseudo-header sums to zero', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 1, max: 65535 }), (payload, port) => {
        const d = buildUdpIpv4({ ...base, destinationPort: port, payload });
        expect(internetChecksum(d, 0, 20)).toBe(0);
        const udpLength = d.readUInt16BE(24);
        expect(udpLength).toBe(8 + payload.length);
        expect(d.readUInt16BE(2)).toBe(d.length);
        const pseudo = Buffer.concat([d.subarray(12, 20), Buffer.from([0, 17, udpLength >> 8, udpLength & 255]), d.subarray(20)]);
        expect(internetChecksum(pseudo)).toBe(0);
        expect(d.subarray(28)).toEqual(Buffer.from(payload));
      }),
    );
  });

  it('never sends a UDP checksum of zero (RFC 768: zero means none; sent as 0xffff)', () => {
    const sums = new Set<number>();
    for (let x = 0; x < 0x10000; x++) sums.add(buildUdpIpv4({ ...base, payload: Buffer.from([x >> 8, x & 255]) }).readUInt16BE(26));
    expect(sums.has(0)).toBe(false);
    expect(sums.has(0xffff)).toBe(true);
  });

  it('rejects addresses that are not IPv4 and payloads that do not fit', () => {
    expect(() => buildUdpIpv4({ ...base, source: '198.51.100.300', payload: Buffer.alloc(1) })).toThrow(TypeError);
    expect(() => buildUdpIpv4({ ...base, payload: Buffer.alloc(MAX_UDP_PAYLOAD + 1) })).toThrow(RangeError);
    expect(buildUdpIpv4({ ...base, payload: Buffer.alloc(MAX_UDP_PAYLOAD) }).length).toBe(0xffff);
  });

  it('honours ttl, id and tos', () => {
    const d = buildUdpIpv4({ ...base, payload: Buffer.alloc(0), ttl: 1, id: 0x1234, tos: 0x10 });
    expect([d[1], d.readUInt16BE(4), d[8]]).toEqual([0x10, 0x1234, 1]);
    expect(internetChecksum(d, 0, 20)).toBe(0);
  });
});
