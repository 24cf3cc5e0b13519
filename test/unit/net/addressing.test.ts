import { describe, expect, it } from 'vitest';
import { directedBroadcast, interfaceFacing, isBroadcastOn, onLink, parseMac, sourceFacing } from '../../../src/net/addressing.js';
import { ETH1, ETH2 } from './helpers.js';

describe('broadcast detection', () => {
  it('computes the directed broadcast, none for /31 and /32 (RFC 3021)', () => {
    expect(directedBroadcast({ address: '198.51.100.77', prefixLength: 24 })).toBe('198.51.100.255');
    expect(directedBroadcast({ address: '203.0.113.130', prefixLength: 25 })).toBe('203.0.113.255');
    expect(directedBroadcast({ address: '198.18.0.1', prefixLength: 15 })).toBe('198.19.255.255');
    expect(directedBroadcast({ address: '198.51.100.5', prefixLength: 30 })).toBe('198.51.100.7');
    expect(directedBroadcast({ address: '198.51.100.4', prefixLength: 31 })).toBeUndefined();
    expect(directedBroadcast({ address: '198.51.100.4', prefixLength: 32 })).toBeUndefined();
  });

  it('tells limited and directed broadcast from unicast, per interface', () => {
    expect(isBroadcastOn('255.255.255.255', undefined)).toBe(true);
    expect(isBroadcastOn('198.51.100.255', ETH1)).toBe(true);
    expect(isBroadcastOn('198.51.100.1', ETH1)).toBe(false);
    expect(isBroadcastOn('203.0.113.127', ETH2)).toBe(true);
    expect(isBroadcastOn('203.0.113.255', ETH2)).toBe(true);
    // Another link's broadcast address is not a broadcast on this link.
    expect(isBroadcastOn('203.0.113.255', ETH1)).toBe(false);
    expect(isBroadcastOn('198.51.100.255', undefined)).toBe(false);
  });
});

describe('on-link choices', () => {
  it('picks the source address facing the destination, else the first', () => {
    expect(onLink({ address: '203.0.113.1', prefixLength: 25 }, '203.0.113.200')).toBe(false);
    expect(sourceFacing(ETH2, '203.0.113.200')).toBe('203.0.113.129');
    expect(sourceFacing(ETH2, '203.0.113.5')).toBe('203.0.113.1');
    expect(sourceFacing(ETH2, '198.18.0.9')).toBe('203.0.113.1');
    expect(sourceFacing({ ...ETH2, addresses: [] }, '203.0.113.5')).toBeUndefined();
  });

  it('finds the interface whose subnet holds an address', () => {
    expect(interfaceFacing([ETH1, ETH2], '203.0.113.140')?.name).toBe('adn-s2');
    expect(interfaceFacing([ETH1, ETH2], '198.51.100.9')?.name).toBe('adn-s1');
    expect(interfaceFacing([ETH1, ETH2], '198.18.0.9')).toBeUndefined();
  });
});

describe('parseMac', () => {
  it('parses colon and dash forms, rejects the rest', () => {
    expect(parseMac('02:aa:0B:00:ff:1')).toEqual(Buffer.from([2, 0xaa, 0x0b, 0, 0xff, 1]));
    expect(parseMac('02-aa-0b-00-ff-01')).toEqual(Buffer.from([2, 0xaa, 0x0b, 0, 0xff, 1]));
    expect(parseMac('02:aa:0b:00:ff')).toBeUndefined();
    expect(parseMac('02:aa:0b:00:ff:01:02')).toBeUndefined();
    expect(parseMac('02:aa:0b:00:ff:gg')).toBeUndefined();
    for (const bad of ['', ':::::', '02:aa:0b:00:ff:01:', ':02:aa:0b:00:ff:01', '02::aa:0b:00:ff', '002:aa:0b:00:ff:01', '02:aa:0b:00:ff: 1', '02:aa:0b:00:ff:0g']) {
      expect(parseMac(bad)).toBeUndefined();
    }
    expect(parseMac('A:b:C:d:E:f')).toEqual(Buffer.from([10, 11, 12, 13, 14, 15]));
    expect(parseMac('02:aa:0b:00:ff:100')).toBeUndefined();
  });
});

describe('per-interface answers after a refresh', () => {
  it('answer for the interface as it is now: a refreshed interface (a new object) with other addresses is not confused with the old', () => {
    const before = { ...ETH1, addresses: [{ address: '198.51.100.1', prefixLength: 24 }] };
    expect(isBroadcastOn('198.51.100.255', before)).toBe(true);
    expect(interfaceFacing([before], '198.51.100.9')).toBe(before);
    expect(sourceFacing(before, '198.51.100.9')).toBe('198.51.100.1');
    const after = { ...ETH1, addresses: [{ address: '203.0.113.1', prefixLength: 25 }, { address: '198.51.100.1', prefixLength: 30 }] };
    expect(isBroadcastOn('198.51.100.255', after)).toBe(false);
    expect(isBroadcastOn('198.51.100.3', after)).toBe(true);
    expect(interfaceFacing([after], '198.51.100.9')).toBeUndefined();
    expect(sourceFacing(after, '198.51.100.2')).toBe('198.51.100.1');
    expect(sourceFacing(after, '192.0.2.1')).toBe('203.0.113.1'); // none on-link: the first address
    expect(sourceFacing(after, 'not an address')).toBe('203.0.113.1');
    expect(interfaceFacing([before, after], 'not an address')).toBeUndefined();
  });
});
