// RFC 3118 delayed authentication against vectors computed independently (Python's hmac module, packets built
// byte by byte: test/fixtures/security/gen-rfc3118-vectors.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { delayedAuthMac, findAuthOption, sign } from '../../../src/security/rfc3118.js';

interface Vector { name: string; key: string; secretId: number; replay: string; macOffset: number; mac: string; packet: string }
const VECTORS = JSON.parse(readFileSync(new URL('../../fixtures/security/rfc3118-vectors.json', import.meta.url), 'utf8')) as Vector[];

describe('RFC 3118 delayed authentication (HMAC-MD5)', () => {
  it.each(VECTORS)('$name: option 90 parsed, MAC equal to the independent one', (v) => {
    const packet = Buffer.from(v.packet, 'hex');
    const auth = findAuthOption(packet);
    expect(auth).toMatchObject({ protocol: 2, algorithm: 1, rdm: 0, replay: BigInt(v.replay), secretId: v.secretId, macOffset: v.macOffset });
    expect(delayedAuthMac(packet, v.macOffset, Buffer.from(v.key, 'hex')).toString('hex')).toBe(v.mac);
    const resigned = Buffer.from(packet);
    resigned.fill(0xaa, v.macOffset, v.macOffset + 16);
    expect(sign(resigned, Buffer.from(v.key, 'hex')).equals(packet)).toBe(true);
  });

  it('hops and giaddr do not enter the MAC (relays change them), every other byte does', () => {
    const v = VECTORS[1]!;
    const packet = Buffer.from(v.packet, 'hex');
    const key = Buffer.from(v.key, 'hex');
    const moved = Buffer.from(packet);
    moved[3] = 4;
    moved.writeUInt32BE(0xc6120001, 24);
    expect(delayedAuthMac(moved, v.macOffset, key).toString('hex')).toBe(v.mac);
    const tampered = Buffer.from(packet);
    tampered[28] = tampered[28]! ^ 1; // chaddr
    expect(delayedAuthMac(tampered, v.macOffset, key).toString('hex')).not.toBe(v.mac);
  });
});
