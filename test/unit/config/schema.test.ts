// Wire-shape errors from the zod schema: unknown keys, types, formats, JSON syntax — each at its JSON path.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/index.js';
import { BASE_DIR, baseConfig, compile, expectIssue, issuesOf, subnet } from './helpers.js';

describe('unknown keys', () => {
  it('are rejected at the key itself, top level and nested', () => {
    expect(issuesOf({ ...baseConfig(), colour: 'blue' })).toEqual([{ path: '$.colour', message: 'unknown key' }]);
    const nested = baseConfig();
    Object.assign(subnet(nested, 0), { dns: ['198.51.100.1'] });
    expectIssue(nested, '$.subnets[0].dns', 'unknown key');
  });

  it('are rejected inside pools, reservations, store and listen', () => {
    const config = baseConfig();
    subnet(config, 0).pools = [{ start: '198.51.100.100', end: '198.51.100.199', size: 100 } as never];
    subnet(config, 0).reservations = [{ hwAddress: '02:00:5e:10:00:10', address: '198.51.100.10', mac: 'x' } as never];
    Object.assign(config, { store: { kind: 'memory', dir: '/tmp' }, listen: { host: '0.0.0.0' } });
    const paths = issuesOf(config).map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '$.subnets[0].pools[0].size',
        '$.subnets[0].reservations[0].mac',
        '$.store.dir',
        '$.listen.host',
      ]),
    );
  });

  it('come with the closest allowed key at that place when one is near', () => {
    const config = baseConfig();
    Object.assign(subnet(config, 0), { leasetime: 60, dnsServer: ['198.51.100.53'] });
    subnet(config, 0).reservations = [{ hwaddress: '02:00:5e:10:00:10', address: '198.51.100.10' } as never];
    Object.assign(config, { store: { pth: 'leases' }, subnetz: [] });
    expect(issuesOf(config)).toEqual(
      expect.arrayContaining([
        { path: '$.subnets[0].leasetime', message: 'unknown key, did you mean "leaseTime"?' },
        { path: '$.subnets[0].dnsServer', message: 'unknown key, did you mean "dnsServers"?' },
        { path: '$.subnets[0].reservations[0].hwaddress', message: 'unknown key, did you mean "hwAddress"?' },
        { path: '$.store.pth', message: 'unknown key, did you mean "path"?' },
        { path: '$.subnetz', message: 'unknown key, did you mean "subnets"?' },
      ]),
    );
  });

  it('accept "$schema" so editors can find the JSON Schema', () => {
    expect(compile({ $schema: './actor-dhcpd.schema.json', ...baseConfig() }).ok).toBe(true);
  });
});

describe('types and formats', () => {
  it('report a wrong type at its path', () => {
    const config = baseConfig();
    Object.assign(subnet(config, 0), { leaseTime: '3600' });
    expectIssue(config, '$.subnets[0].leaseTime', 'expected number');
  });

  it('report a missing required field', () => {
    const { subnets: _dropped, ...rest } = baseConfig();
    expectIssue(rest, '$.subnets', /^required: /);
  });

  it('call a missing field "required" but a wrong type not', () => {
    const config = baseConfig();
    subnet(config, 0).pools = [{ start: '198.51.100.100' } as never];
    Object.assign(subnet(config, 1), { authoritative: 'yes' });
    const issues = issuesOf(config);
    expect(issues).toContainEqual({ path: '$.subnets[0].pools[0].end', message: expect.stringMatching(/^required: /) });
    const wrongType = issues.find((issue) => issue.path === '$.subnets[1].authoritative');
    expect(wrongType?.message).toMatch(/expected boolean/);
    expect(wrongType?.message).not.toMatch(/required/);
  });

  it('report a bad pool shorthand and a pool of the wrong type at the pool', () => {
    const config = baseConfig();
    subnet(config, 1).pools = ['203.0.113.100..203.0.113.199', 42 as never];
    expectIssue(config, '$.subnets[1].pools[0]', 'expected a range "first-last"');
    expectIssue(config, '$.subnets[1].pools[1]', 'expected a pool');
  });

  it('report a bad MAC, client id and host name', () => {
    const config = baseConfig();
    subnet(config, 0).reservations = [
      { hwAddress: '02:00:5e:10:00', address: '198.51.100.10' },
      { clientId: '01', address: '198.51.100.11' },
      { hwAddress: '02:00:5e:10:00:12', address: '198.51.100.12', hostname: 'bad_name' },
    ];
    expectIssue(config, '$.subnets[0].reservations[0].hwAddress', '6-byte MAC');
    expectIssue(config, '$.subnets[0].reservations[1].clientId', 'client identifier');
    expectIssue(config, '$.subnets[0].reservations[2].hostname', 'host name');
  });

  it('report out-of-range numbers and bad enums', () => {
    const config = { ...baseConfig(), listen: { port: 70000 }, logging: { level: 'loud' } };
    expectIssue(config, '$.listen.port', /65535/);
    expectIssue(config, '$.logging.level', /info/);
  });
});

describe('JSON syntax', () => {
  it('reports "$" with line and column', () => {
    const result = parseConfig('{\n  "interfaces": [],\n }', { baseDir: BASE_DIR });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.path).toBe('$');
    expect(result.errors[0]?.message).toMatch(/^invalid JSON.*line 3.*column 2/);
  });

  it('reports empty input', () => {
    const result = parseConfig('', { baseDir: BASE_DIR });
    expect(result.ok ? [] : result.errors.map((e) => e.path)).toEqual(['$']);
  });

  it('accepts a UTF-8 byte-order mark', () => {
    expect(parseConfig(`\uFEFF${JSON.stringify(baseConfig())}`, { baseDir: BASE_DIR }).ok).toBe(true);
  });

  it('reports a non-object document at "$"', () => {
    expect(issuesOf([]).map((issue) => issue.path)).toEqual(['$']);
  });
});
