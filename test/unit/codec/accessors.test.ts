// Typed option accessors and IPv4 helpers.
import { describe, expect, it } from 'vitest';
import {
  clientIdHex, getIpOption, getOption, getParameterRequestList, getU16Option, getU32Option, getU8Option,
  hwAddressOf, intToIp, ipToInt, isIpv4, linkSelectionOf, messageTypeOf, relayAgentSubOptions, MessageType,
} from '../../../src/codec/index.js';
import { message, opt } from './helpers.js';

describe('option accessors', () => {
  const msg = message({
    options: [
      opt(53, [3]), opt(50, [198, 51, 100, 20]), opt(57, [5, 0xdc]), opt(51, [0, 0, 0x0e, 0x10]),
      opt(55, [1, 3, 6, 15]), opt(61, [1, 0x52, 0x54, 0, 0x12, 0x34, 0x56]), opt(54, [198, 51, 100]),
    ],
  });

  it('read present options by type and refuse wrong lengths', () => {
    expect(getOption(msg, 50)?.length).toBe(4);
    expect(getOption(msg, 99)).toBeUndefined();
    expect(getIpOption(msg, 50)).toBe('198.51.100.20');
    expect(getIpOption(msg, 54)).toBeUndefined();
    expect(getU8Option(msg, 53)).toBe(3);
    expect(getU16Option(msg, 57)).toBe(1500);
    expect(getU32Option(msg, 51)).toBe(3600);
    expect(getU16Option(msg, 51)).toBeUndefined();
    expect(getU32Option(msg, 57)).toBeUndefined();
    expect(getParameterRequestList(msg)).toEqual([1, 3, 6, 15]);
    expect(getParameterRequestList(message())).toEqual([]);
    expect(messageTypeOf(msg)).toBe(MessageType.REQUEST);
    expect(messageTypeOf(message({ options: [opt(53, [9])] }))).toBeUndefined();
    expect(messageTypeOf(message({ options: [] }))).toBeUndefined();
  });

  it('hwAddressOf uses hlen bytes of chaddr', () => {
    expect(hwAddressOf(msg)).toBe('52:54:00:12:34:56');
    expect(hwAddressOf(message({ hlen: 2 }))).toBe('52:54');
    expect(hwAddressOf(message({ hlen: 0 }))).toBe('');
    expect(hwAddressOf(message({ hlen: 16, chaddr: Buffer.alloc(16, 0xab) }))).toBe(Array(16).fill('ab').join(':'));
  });

  it('clientIdHex is option 61 in lower-case hex, undefined when absent or empty', () => {
    expect(clientIdHex(msg)).toBe('01525400123456');
    expect(clientIdHex(message())).toBeUndefined();
    expect(clientIdHex(message({ options: [opt(61, [])] }))).toBeUndefined();
    expect(clientIdHex(message({ options: [opt(61, [0xff, 0xab])] }))).toBe('ffab');
  });

  it('relay agent sub-options and the link selection (RFC 3527 before RFC 3011)', () => {
    const relayed = message({
      options: [opt(82, [1, 2, 0xaa, 0xbb, 5, 4, 203, 0, 113, 0]), opt(118, [198, 51, 100, 0])],
    });
    expect(relayAgentSubOptions(relayed)?.map((s) => [s.code, s.data.toString('hex')])).toEqual([
      [1, 'aabb'],
      [5, 'cb007100'],
    ]);
    expect(linkSelectionOf(relayed)).toBe('203.0.113.0');
    expect(linkSelectionOf(message({ options: [opt(118, [198, 51, 100, 0])] }))).toBe('198.51.100.0');
    expect(relayAgentSubOptions(message({ options: [opt(82, [1, 9, 0])] }))).toBeUndefined();
    expect(linkSelectionOf(message())).toBeUndefined();
  });
});

describe('IPv4 helpers', () => {
  it('ipToInt / intToIp are host-order uint32 inverses', () => {
    expect(ipToInt('198.51.100.1')).toBe(0xc6336401);
    expect(ipToInt('255.255.255.255')).toBe(0xffffffff);
    expect(ipToInt('0.0.0.0')).toBe(0);
    expect(intToIp(0xc6336401)).toBe('198.51.100.1');
    expect(intToIp(-1)).toBe('255.255.255.255');
    expect(intToIp(2 ** 32 + 1)).toBe('0.0.0.1');
    for (const n of [0, 1, 0x7fffffff, 0x80000000, 0xfffffffe]) expect(ipToInt(intToIp(n))).toBe(n);
  });

  it('isIpv4 accepts strict dotted quads only', () => {
    for (const s of ['0.0.0.0', '198.51.100.1', '255.255.255.255']) expect(isIpv4(s)).toBe(true);
    const bad = ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.', '.1.2.3', '1..2.3', ' 1.2.3.4', '1.2.3.4 ',
      'a.b.c.d', '1.2.3.-4', '1e2.1.1.1'];
    for (const s of bad) expect(isIpv4(s), s).toBe(false);
    expect(isIpv4(42)).toBe(false);
    expect(() => ipToInt('300.1.1.1')).toThrow(TypeError);
  });
});
