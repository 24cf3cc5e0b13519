// Options by name, by code and by convenience field: encoding via the codec table, precedence, order, errors.
import { describe, expect, it } from 'vitest';
import { encodeOptionValue, findOptionDef } from '../../../src/codec/index.js';
import type { Subnet } from '../../../src/config/index.js';
import { baseConfig, compiled, expectIssue, issuesOf, subnet } from './helpers.js';

function optionsOf(s: Subnet | undefined): Map<number, Buffer> {
  return new Map((s?.options ?? []).map((o) => [o.code, o.data]));
}

const ip = (...octets: number[]): Buffer => Buffer.from(octets);

describe('compiled options', () => {
  it('always carry the subnet mask (option 1) from the CIDR', () => {
    const config = baseConfig();
    config.subnets.push({ subnet: '198.18.0.0/15' });
    const [first, , third] = compiled(config).subnets;
    expect(optionsOf(first).get(1)).toEqual(ip(255, 255, 255, 0));
    expect(optionsOf(third).get(1)).toEqual(ip(255, 254, 0, 0));
  });

  it('encode the convenience fields as options 3, 6, 15 and 42', () => {
    const config = baseConfig();
    Object.assign(subnet(config, 0), {
      router: ['198.51.100.1'],
      dnsServers: ['198.51.100.53', '198.51.100.54'],
      domainName: 'lab.example',
      ntpServers: ['198.51.100.123'],
    });
    const options = optionsOf(compiled(config).subnets[0]);
    expect(options.get(3)).toEqual(ip(198, 51, 100, 1));
    expect(options.get(6)).toEqual(ip(198, 51, 100, 53, 198, 51, 100, 54));
    expect(options.get(15)).toEqual(Buffer.from('lab.example'));
    expect(options.get(42)).toEqual(ip(198, 51, 100, 123));
  });

  it('accept options by name and by code, encoded like the codec does', () => {
    const config = baseConfig();
    const routes = [{ destination: '203.0.113.0/24', router: '198.51.100.1' }];
    subnet(config, 0).options = {
      'domain-search': ['lab.example'],
      '66': 'tftp.lab.example',
      'classless-static-routes': routes,
    };
    const options = optionsOf(compiled(config).subnets[0]);
    const def = findOptionDef('domain-search');
    expect(def?.code).toBe(119);
    expect(options.get(119)).toEqual(def && encodeOptionValue(def, ['lab.example']));
    expect(options.get(66)).toEqual(Buffer.from('tftp.lab.example'));
    expect(options.get(121)).toEqual(ip(24, 203, 0, 113, 198, 51, 100, 1));
  });

  it('carry a code missing from the table as hex bytes', () => {
    const config = baseConfig();
    subnet(config, 0).options = { '224': '01:02:0a' };
    expect(optionsOf(compiled(config).subnets[0]).get(224)).toEqual(ip(1, 2, 10));
  });

  it('are ordered by code, each code once, with subnet values replacing defaults', () => {
    const config = {
      ...baseConfig(),
      defaults: { dnsServers: ['198.51.100.53'], domainName: 'example.net', options: { 'interface-mtu': 1500 } },
    };
    Object.assign(subnet(config, 1), { dnsServers: ['203.0.113.53'], options: { '26': 9000 } });
    const [first, second] = compiled(config).subnets;
    const codes = (second?.options ?? []).map((o) => o.code);
    expect(codes).toEqual([1, 3, 6, 15, 26]);
    expect(optionsOf(second).get(6)).toEqual(ip(203, 0, 113, 53));
    expect(optionsOf(second).get(26)).toEqual(ip(0x23, 0x28));
    expect(optionsOf(first).get(6)).toEqual(ip(198, 51, 100, 53));
    expect(optionsOf(first).get(26)).toEqual(ip(0x05, 0xdc));
  });
});

describe('option errors', () => {
  it('report a bad value at the option key with the codec reason', () => {
    const config = baseConfig();
    subnet(config, 0).options = { routers: ['198.51.100.1', 'gateway'] };
    let reason = '';
    try {
      const def = findOptionDef('routers');
      if (def) encodeOptionValue(def, ['198.51.100.1', 'gateway']);
    } catch (error) {
      reason = (error as Error).message;
    }
    expect(reason).not.toBe('');
    expect(issuesOf(config)).toEqual([{ path: '$.subnets[0].options.routers', message: reason }]);
  });

  it('report a bad option given by code at its quoted key', () => {
    const config = baseConfig();
    subnet(config, 1).options = { '26': 70000 };
    expectIssue(config, '$.subnets[1].options["26"]', '65535');
  });

  it('check convenience fields in the schema, before the option table', () => {
    const config = baseConfig();
    Object.assign(subnet(config, 1), { domainName: '', dnsServers: ['203.0.113.300'] });
    expectIssue(config, '$.subnets[1].domainName', /./);
    expectIssue(config, '$.subnets[1].dnsServers[0]', 'expected an IPv4 address');
  });

  it('report an unknown option name', () => {
    const config = baseConfig();
    subnet(config, 0).options = { 'dns-servers': ['198.51.100.53'] };
    expectIssue(config, '$.subnets[0].options["dns-servers"]', 'unknown option "dns-servers"');
  });

  it('refuse options the server sets itself', () => {
    const config = baseConfig();
    subnet(config, 0).options = { 'lease-time': 60, '54': '198.51.100.2', '1': '255.255.0.0' };
    expectIssue(config, '$.subnets[0].options["lease-time"]', 'use leaseTime');
    expectIssue(config, '$.subnets[0].options["54"]', 'use serverId');
    expectIssue(config, '$.subnets[0].options["1"]', 'the subnet mask comes from the subnet CIDR');
  });

  it('refuse the same code twice on one level', () => {
    const config = baseConfig();
    subnet(config, 1).options = { routers: ['203.0.113.2'] };
    expectIssue(config, '$.subnets[1].options.routers', 'option 3 is already set by $.subnets[1].router');
  });

  it('report a bad default once, at its path under defaults', () => {
    const config = { ...baseConfig(), defaults: { options: { 'ntp-servers': 'ntp.example' } } };
    expect(issuesOf(config)).toEqual([{ path: '$.defaults.options["ntp-servers"]', message: expect.any(String) }]);
  });
});
