// Defaults, normal forms and numeric fields of the compiled ServerConfig, and its deep freeze.
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/config/supervision.js';
import { DEFAULT_SUPERVISION } from '../../../src/config/supervision-policy.js';
import { baseConfig, compiled, subnet } from './helpers.js';

describe('defaults', () => {
  it('fill every optional top-level field', () => {
    const config = compiled({ interfaces: [], subnets: [{ subnet: '203.0.113.0/24' }] });
    expect(config).toEqual({
      interfaces: [],
      listen: {
        address: '0.0.0.0', port: 67, clientPort: 68, transport: 'auto', unlistedUnicast: 'accept', receiveBufferKiB: 4096, discoverQueueKiB: 4096, warmupMs: 500,
        overload: { discoverWaitMs: 100, overflowWindowMs: 200 },
      },
      store: {
        kind: 'level', path: '/var/lib/actor-dhcpd/leases', commitIntervalMs: 2, maxBatch: 1000,
        checkpoint: { addresses: 20_000, intervalMs: 3_600_000, deltaShare: 0.1 },
      },
      history: { perLease: 64, retentionMs: 30 * 86_400_000 },
      logging: { level: 'info' },
      subnets: [expect.objectContaining({ id: 1, leaseTime: 3600, authoritative: false, interfaces: [] })],
      offerHoldMs: 60_000,
      expiryGraceMs: 300_000,
      declineProbationMs: 3_600_000,
      maxDeclinesPerClient: 5,
      bootp: false,
      supervision: DEFAULT_SUPERVISION,
      limits: DEFAULT_LIMITS,
      security: expect.objectContaining({ global: {}, interfaces: {}, subnets: {}, rogueDetection: { enabled: false, reportIntervalMs: 300_000 } }),
      conflictCheck: { enabled: true, timeoutMs: 500, maxCandidates: 3, cacheMs: 5_000, maxCacheEntries: 4096, maxConcurrent: 256 },
      control: { enabled: true, socket: '/run/actor-dhcpd/control.sock', bodyLimitBytes: 1_048_576 },
    });
    expect('serverId' in config).toBe(false);
  });

  it('convert seconds on the wire to milliseconds', () => {
    const config = compiled({
      ...baseConfig(),
      offerHoldSeconds: 5,
      expiryGraceSeconds: 0,
      declineProbationSeconds: 30,
    });
    expect([config.offerHoldMs, config.expiryGraceMs, config.declineProbationMs]).toEqual([5000, 0, 30_000]);
  });

  it('resolve a relative store path against the config directory and keep an absolute one', () => {
    expect(compiled({ ...baseConfig(), store: { path: 'leases' } }).store.path).toBe('/etc/actor-dhcpd/leases');
    expect(compiled({ ...baseConfig(), store: { path: '/srv/leases' } }).store.path).toBe('/srv/leases');
  });

  it('number subnets by position, honour explicit ids, and inherit authoritative', () => {
    const config = baseConfig();
    subnet(config, 1).id = 40;
    const subnets = compiled({ ...config, defaults: { authoritative: true } }).subnets;
    expect(subnets.map((s) => [s.id, s.authoritative])).toEqual([
      [1, true],
      [40, true],
    ]);
  });
});

describe('compiled subnet', () => {
  it('holds uint32 network, mask and broadcast, numeric pools and normalised reservations', () => {
    const config = baseConfig();
    subnet(config, 0).reservations = [
      { hwAddress: '02-00-5E-10-00-10', address: '198.51.100.10', hostname: 'printer' },
      { clientId: '01:02:00:5E:10:00:02', address: '198.51.100.11' },
    ];
    const s = compiled(config).subnets[0];
    expect(s).toMatchObject({
      id: 1,
      cidr: '198.51.100.0/24',
      network: 0xc6336400,
      prefixLength: 24,
      mask: 0xffffff00,
      broadcast: 0xc63364ff,
      pools: [{ start: 0xc6336464, end: 0xc63364c7 }],
      reservations: [
        { hwAddress: '02:00:5e:10:00:10', address: 0xc633640a, hostname: 'printer' },
        { clientId: '0102005e100002', address: 0xc633640b },
      ],
      interfaces: ['lab0'],
    });
    expect(Object.keys(s?.reservations[1] ?? {})).toEqual(['address', 'clientId']);
  });
});

describe('freezing', () => {
  // Test modules are ES modules, hence strict mode: writes to frozen objects throw.
  const config = compiled(baseConfig());
  const first = config.subnets[0];

  it('freezes the whole tree', () => {
    expect(() => {
      (config as { bootp: boolean }).bootp = true;
    }).toThrow(TypeError);
    expect(() => Object.assign(config.listen, { port: 6767 })).toThrow(TypeError);
    expect(() => Object.assign(config.store, { path: '/tmp' })).toThrow(TypeError);
    expect(() => (config.subnets as unknown[]).push({})).toThrow(TypeError);
    expect(() => Object.assign(first?.pools[0] ?? {}, { start: 0 })).toThrow(TypeError);
    expect(() => Object.assign(first?.reservations[0] ?? {}, { address: 0 })).toThrow(TypeError);
    expect(() => (first?.options as unknown[]).pop()).toThrow(TypeError);
    expect(() => Object.assign(first?.options[0] ?? {}, { code: 2 })).toThrow(TypeError);
    expect(() => (first?.interfaces as string[]).push('eth0')).toThrow(TypeError);
  });

  it('gives each parse its own objects', () => {
    expect(compiled(baseConfig())).not.toBe(config);
    expect(compiled(baseConfig())).toEqual(config);
  });
});
