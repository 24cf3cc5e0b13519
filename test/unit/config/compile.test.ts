// Cross-field rules of compile.ts: each rule has a failing case asserting the exact JSON path.
import { describe, expect, it } from 'vitest';
import { baseConfig, compile, compiled, expectIssue, issuesOf, subnet } from './helpers.js';

describe('the base fixture', () => {
  it('is valid, so each failing case below fails for its own reason', () => {
    expect(compile(baseConfig()).ok).toBe(true);
  });
});

describe('subnet CIDR', () => {
  it('rejects a host address with a suggestion, and nothing else', () => {
    const config = baseConfig();
    subnet(config, 0).subnet = '198.51.100.5/24';
    expect(issuesOf(config)).toEqual([
      { path: '$.subnets[0].subnet', message: 'not a network address, did you mean 198.51.100.0/24?' },
    ]);
  });

  it('rejects a malformed CIDR at its path', () => {
    const config = baseConfig();
    subnet(config, 1).subnet = '203.0.113.0/33';
    expectIssue(config, '$.subnets[1].subnet', 'expected an IPv4 CIDR');
  });

  it('rejects overlapping subnets at the later one', () => {
    const config = baseConfig();
    config.subnets.push({ subnet: '198.51.100.128/25' });
    expectIssue(
      config,
      '$.subnets[2].subnet',
      'subnet 198.51.100.128/25 overlaps 198.51.100.0/24 at $.subnets[0].subnet',
    );
  });

  it('requires at least one subnet', () => {
    expect(issuesOf({ ...baseConfig(), subnets: [] })).toEqual([
      { path: '$.subnets', message: 'at least one subnet is required' },
    ]);
  });
});

describe('subnet ids', () => {
  it('rejects a duplicate explicit id', () => {
    const config = baseConfig();
    subnet(config, 0).id = 7;
    subnet(config, 1).id = 7;
    expectIssue(config, '$.subnets[1].id', 'id 7 is already used by $.subnets[0]');
  });

  it('rejects an explicit id that collides with an implicit (positional) one', () => {
    const config = baseConfig();
    subnet(config, 0).id = 2;
    expectIssue(config, '$.subnets[1]', 'implicit id 2 (its position) is already used by $.subnets[0]');
  });
});

describe('pools', () => {
  it('rejects start after end at end', () => {
    const config = baseConfig();
    subnet(config, 0).pools = [{ start: '198.51.100.199', end: '198.51.100.100' }];
    expectIssue(config, '$.subnets[0].pools[0].end', 'pool end 198.51.100.100 is before its start 198.51.100.199');
  });

  it('rejects a start or end outside the subnet at that end', () => {
    const config = baseConfig();
    subnet(config, 0).pools = [{ start: '198.51.99.250', end: '198.51.100.10' }];
    expectIssue(config, '$.subnets[0].pools[0].start', '198.51.99.250 is outside subnet 198.51.100.0/24');
    const other = baseConfig();
    subnet(other, 0).pools = [{ start: '198.51.100.250', end: '198.51.101.10' }];
    expectIssue(other, '$.subnets[0].pools[0].end', '198.51.101.10 is outside subnet 198.51.100.0/24');
  });

  it('reports a shorthand pool at the pool itself', () => {
    const config = baseConfig();
    subnet(config, 1).pools = ['203.0.113.100-203.0.114.5'];
    expectIssue(config, '$.subnets[1].pools[0]', '203.0.114.5 is outside subnet 203.0.113.0/24');
  });

  it('keeps the network and broadcast addresses out of pools', () => {
    const config = baseConfig();
    subnet(config, 0).pools = [{ start: '198.51.100.0', end: '198.51.100.255' }];
    expectIssue(config, '$.subnets[0].pools[0].start', 'pool includes the network address 198.51.100.0');
    expectIssue(config, '$.subnets[0].pools[0].end', 'pool includes the broadcast address 198.51.100.255');
  });

  it('allows both addresses of a /31 (RFC 3021)', () => {
    const config = baseConfig();
    config.subnets.push({ subnet: '198.18.0.0/31', pools: ['198.18.0.0-198.18.0.1'] });
    expect(compiled(config).subnets[2]?.pools).toEqual([{ start: 0xc6120000, end: 0xc6120001 }]);
  });

  it('rejects overlapping pools in one subnet at the later pool, even when it starts lower', () => {
    const config = baseConfig();
    subnet(config, 0).pools = ['198.51.100.150-198.51.100.199', '198.51.100.100-198.51.100.160'];
    expectIssue(
      config,
      '$.subnets[0].pools[1]',
      'pool 198.51.100.100-198.51.100.160 overlaps 198.51.100.150-198.51.100.199 at $.subnets[0].pools[0]',
    );
  });

  it('rejects overlapping pools across subnets', () => {
    const config = baseConfig();
    config.subnets.push({ subnet: '198.51.100.128/25', pools: ['198.51.100.150-198.51.100.160'] });
    expectIssue(config, '$.subnets[2].pools[0]', 'overlaps 198.51.100.100-198.51.100.199 at $.subnets[0].pools[0]');
  });

  it('accepts touching but not overlapping pools', () => {
    const config = baseConfig();
    subnet(config, 0).pools = ['198.51.100.100-198.51.100.149', '198.51.100.150-198.51.100.199'];
    expect(compile(config).ok).toBe(true);
  });
});

describe('reservations', () => {
  it('requires the address inside the subnet', () => {
    const config = baseConfig();
    subnet(config, 0).reservations = [{ hwAddress: '02:00:5e:10:00:10', address: '203.0.113.10' }];
    expectIssue(config, '$.subnets[0].reservations[0].address', '203.0.113.10 is outside subnet 198.51.100.0/24');
  });

  it('rejects the broadcast address', () => {
    const config = baseConfig();
    subnet(config, 0).reservations = [{ hwAddress: '02:00:5e:10:00:10', address: '198.51.100.255' }];
    expectIssue(config, '$.subnets[0].reservations[0].address', "198.51.100.255 is the subnet's broadcast address");
  });

  it('rejects a second reservation of the same address', () => {
    const config = baseConfig();
    subnet(config, 0).reservations?.push({ clientId: '01:02:00:5e:10:00:02', address: '198.51.100.10' });
    expectIssue(
      config,
      '$.subnets[0].reservations[1].address',
      '198.51.100.10 is already reserved by $.subnets[0].reservations[0]',
    );
  });

  it('requires exactly one of hwAddress and clientId', () => {
    const both = baseConfig();
    subnet(both, 0).reservations = [{ hwAddress: '02:00:5e:10:00:10', clientId: '01:02', address: '198.51.100.10' }];
    expectIssue(both, '$.subnets[0].reservations[0]', 'set exactly one of hwAddress or clientId');
    const neither = baseConfig();
    subnet(neither, 0).reservations = [{ address: '198.51.100.10' }];
    expectIssue(neither, '$.subnets[0].reservations[0]', 'set exactly one of hwAddress or clientId');
  });

  it('rejects a duplicate MAC within a subnet, comparing normalised forms', () => {
    const config = baseConfig();
    subnet(config, 0).reservations?.push({ hwAddress: '02-00-5E-10-00-10', address: '198.51.100.11' });
    const message = 'hwAddress 02:00:5e:10:00:10 already has a reservation at $.subnets[0].reservations[0]';
    expectIssue(config, '$.subnets[0].reservations[1].hwAddress', message);
  });

  it('rejects a duplicate client id within a subnet', () => {
    const config = baseConfig();
    subnet(config, 1).reservations = [
      { clientId: '01:02:00:5e:10:00:02', address: '203.0.113.10' },
      { clientId: '0102005E100002', address: '203.0.113.11' },
    ];
    expectIssue(config, '$.subnets[1].reservations[1].clientId', 'clientId 0102005e100002 already has a reservation');
  });

  it('allows the same MAC in two subnets (a host that moves)', () => {
    const config = baseConfig();
    subnet(config, 1).reservations = [{ hwAddress: '02:00:5e:10:00:10', address: '203.0.113.10' }];
    expect(compile(config).ok).toBe(true);
  });
});

describe('interfaces and server id', () => {
  it('requires subnet interfaces to be listed at the top level', () => {
    const config = baseConfig();
    subnet(config, 0).interface = 'eth9';
    expectIssue(config, '$.subnets[0].interface', 'interface "eth9" is not listed in $.interfaces');
    const list = baseConfig();
    delete subnet(list, 0).interface;
    subnet(list, 0).interfaces = ['lab0', 'eth9'];
    expectIssue(list, '$.subnets[0].interfaces[1]', 'interface "eth9" is not listed in $.interfaces');
  });

  it('rejects interface together with interfaces', () => {
    const config = baseConfig();
    subnet(config, 0).interfaces = ['lab0'];
    expectIssue(config, '$.subnets[0].interfaces', 'set either interface or interfaces, not both');
  });

  it('rejects a top-level interface listed twice', () => {
    const config = { ...baseConfig(), interfaces: ['lab0', 'lab0'] };
    expectIssue(config, '$.interfaces[1]', 'interface "lab0" is listed twice');
  });

  it('rejects a malformed or non-unicast server id', () => {
    expectIssue({ ...baseConfig(), serverId: '198.51.100' }, '$.serverId', 'expected an IPv4 address');
    expectIssue({ ...baseConfig(), serverId: '255.255.255.255' }, '$.serverId', 'not a unicast address');
  });
});

it('reports every problem, not just the first', () => {
  const config = baseConfig();
  subnet(config, 0).subnet = '198.51.100.5/24';
  subnet(config, 1).pools = ['203.0.113.200-203.0.113.100'];
  expect(issuesOf(config).map((issue) => issue.path)).toEqual(['$.subnets[0].subnet', '$.subnets[1].pools[0]']);
});
