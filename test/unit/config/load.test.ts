// loadConfigFile / checkConfigFile error codes and lines, and the shipped example configs.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { checkConfigFile, loadConfigFile } from '../../../src/config/index.js';
import { baseConfig, subnet } from './helpers.js';

const CONFIG_DIR = fileURLToPath(new URL('../../../config/', import.meta.url));
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'actor-dhcpd-config-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

async function rejection(promise: Promise<unknown>): Promise<ConfigError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('loadConfigFile', () => {
  it('loads a file and resolves a relative store path against its directory', async () => {
    const file = await write('ok.json', JSON.stringify({ ...baseConfig(), store: { path: 'leases' } }));
    expect((await loadConfigFile(file)).store.path).toBe(join(dir, 'leases'));
  });

  it('throws DHCPD_ERR_CONFIG_READ for a missing file', async () => {
    const error = await rejection(loadConfigFile(join(dir, 'missing.json')));
    expect(error.code).toBe('DHCPD_ERR_CONFIG_READ');
    expect(error.message).toContain('ENOENT');
  });

  it('throws DHCPD_ERR_CONFIG_SYNTAX for broken JSON', async () => {
    const error = await rejection(loadConfigFile(await write('syntax.json', '{"subnets": [}')));
    expect(error.code).toBe('DHCPD_ERR_CONFIG_SYNTAX');
    expect(error.details['issues']).toEqual([{ path: '$', message: expect.stringMatching(/line 1, column 14/) }]);
  });

  it('throws DHCPD_ERR_CONFIG_INVALID with every issue in details.issues', async () => {
    const config = baseConfig();
    subnet(config, 0).subnet = '198.51.100.5/24';
    const error = await rejection(loadConfigFile(await write('invalid.json', JSON.stringify(config))));
    expect(error.code).toBe('DHCPD_ERR_CONFIG_INVALID');
    expect(error.details['issues']).toEqual([
      { path: '$.subnets[0].subnet', message: 'not a network address, did you mean 198.51.100.0/24?' },
    ]);
    expect(error.message).toContain('$.subnets[0].subnet: not a network address');
  });
});

describe('checkConfigFile', () => {
  it('prints "ok" for a valid file', async () => {
    const file = await write('check-ok.json', JSON.stringify(baseConfig()));
    expect(await checkConfigFile(file)).toEqual({ ok: true, lines: ['ok'] });
  });

  it('prints one "path: message" line per issue', async () => {
    const file = await write('check-bad.json', JSON.stringify({ ...baseConfig(), subnets: [], colour: 1 }));
    expect(await checkConfigFile(file)).toEqual({ ok: false, lines: ['$.colour: unknown key'] });
  });

  it('prints the read error for a missing file', async () => {
    const result = await checkConfigFile(join(dir, 'nope.json'));
    expect(result.ok).toBe(false);
    expect(result.lines).toEqual([expect.stringMatching(/^\$: cannot read config file .*ENOENT/)]);
  });
});

describe('shipped configs', () => {
  it('config/example.json compiles', async () => {
    const config = await loadConfigFile(join(CONFIG_DIR, 'example.json'));
    expect(config.subnets.length).toBeGreaterThanOrEqual(3);
    expect(config.subnets.some((s) => s.interfaces.length === 0)).toBe(true);
    expect(config.subnets.some((s) => s.reservations.length > 0)).toBe(true);
  });

  it('config/lab.json compiles to the lab layout', async () => {
    const config = await loadConfigFile(join(CONFIG_DIR, 'lab.json'));
    expect(config.serverId).toBe('198.51.100.1');
    expect(config.interfaces).toEqual(['lab0']);
    expect(config.store.path).toBe('/var/lib/actor-dhcpd/lab-leases');
    const [direct, relayed] = config.subnets;
    expect(direct).toMatchObject({
      cidr: '198.51.100.0/24',
      interfaces: ['lab0'],
      pools: [{ start: 0xc6336464, end: 0xc63364c7 }],
      reservations: [{ hwAddress: '02:00:5e:10:00:10', address: 0xc633640a }],
      leaseTime: 120,
    });
    expect(relayed).toMatchObject({
      cidr: '203.0.113.0/24',
      interfaces: [],
      pools: [{ start: 0xcb007164, end: 0xcb0071c7 }],
      leaseTime: 120,
    });
    expect(relayed?.options.find((o) => o.code === 3)?.data).toEqual(Buffer.from([203, 0, 113, 1]));
  });
});
