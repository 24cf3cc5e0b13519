import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { discoverInterfaces, isInterfaceName, parseInterface, type InterfaceSource } from '../../../src/net/interfaces.js';

const v4 = (address: string, netmask: string, cidr: string | null): NetworkInterfaceInfo =>
  ({ address, netmask, family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr }) as NetworkInterfaceInfo;
const v6: NetworkInterfaceInfo = { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: 'fe80::1/64', scopeid: 3 };

describe('parseInterface', () => {
  it('reads index and MAC from sysfs text and keeps IPv4 addresses with their prefix', () => {
    const info = parseInterface('adn-s1', {
      ifindex: '7\n',
      address: '02:AA:BB:CC:DD:01\n',
      entries: [v4('198.51.100.1', '255.255.255.0', '198.51.100.1/24'), v6, v4('203.0.113.129', '255.255.255.128', null)],
    });
    expect(info).toEqual({
      name: 'adn-s1',
      index: 7,
      mac: '02:aa:bb:cc:dd:01',
      addresses: [{ address: '198.51.100.1', prefixLength: 24 }, { address: '203.0.113.129', prefixLength: 25 }],
    });
    expect(Object.isFrozen(info)).toBe(true);
  });

  it('reports a link that is down (no OS entries) with no addresses, and a missing one as undefined', () => {
    expect(parseInterface('adn-s1', { ifindex: '7', address: '02:aa:bb:cc:dd:01', entries: undefined })?.addresses).toEqual([]);
    expect(parseInterface('adn-s1', { ifindex: undefined, address: undefined, entries: undefined })).toBeUndefined();
    expect(parseInterface('adn-s1', { ifindex: 'garbage', address: '', entries: [] })).toBeUndefined();
    expect(parseInterface('adn-s1', { ifindex: '0', address: '', entries: [] })).toBeUndefined();
  });
});

describe('discoverInterfaces', () => {
  const sysfs: Record<string, Record<string, string>> = {
    'adn-s1': { ifindex: '11\n', address: '02:00:00:00:01:01\n' },
    'adn-s2': { ifindex: '12\n', address: '02:00:00:00:02:01\n' },
  };
  const reads: string[] = [];
  const source: InterfaceSource = {
    addresses: () => ({ 'adn-s1': [v4('198.51.100.1', '255.255.255.0', '198.51.100.1/24')] }),
    sysfs: (name, file) => (reads.push(`${name}/${file}`), sysfs[name]?.[file]),
  };

  it('finds the listed interfaces and names the missing ones', () => {
    const result = discoverInterfaces(['adn-s1', 'adn-s2', 'adn-gone'], source);
    expect(result.found.map((i) => [i.name, i.index, i.addresses.length])).toEqual([['adn-s1', 11, 1], ['adn-s2', 12, 0]]);
    expect(result.missing).toEqual(['adn-gone']);
  });

  it('never reads sysfs paths for names that are not interface names', () => {
    reads.length = 0;
    expect(discoverInterfaces(['../../etc', 'a/b', '', 'x'.repeat(16)], source).missing).toHaveLength(4);
    expect(reads).toEqual([]);
    expect(isInterfaceName('eth0.100')).toBe(true);
    expect(isInterfaceName('..')).toBe(false);
  });

  it('reads the real system without throwing', () => {
    const result = discoverInterfaces(['lo', 'adn-does-not-exist']);
    expect(result.missing).toContain('adn-does-not-exist');
    expect(result.found.find((i) => i.name === 'lo')?.index).toBe(1);
  });
});
