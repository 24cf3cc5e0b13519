// store.postgres and scaleOut: compiled values and cross-field errors with their JSON paths.
import { describe, expect, it } from 'vitest';
import { baseConfig, compiled, expectIssue } from './helpers.js';

const postgres = { kind: 'postgres', postgres: { host: '/run/postgresql' } } as const;

describe('store.postgres and scaleOut', () => {
  it('compile with defaults: equal split, sorted peers', () => {
    const config = compiled({ ...baseConfig(), store: postgres, scaleOut: { self: 'b', peers: ['c', 'a', 'b'] } });
    expect(config.store.postgres).toMatchObject({ host: '/run/postgresql', port: 5432, database: 'actor_dhcpd', poolSize: 4 });
    expect(config.scaleOut).toMatchObject({ self: 'b', peers: ['a', 'b', 'c'], split: { a: 1, b: 1, c: 1 }, maxSecs: 10 });
  });

  it('store.kind "postgres" needs its section', () => {
    expectIssue({ ...baseConfig(), store: { kind: 'postgres' } }, '$.store.postgres', 'needs this section');
  });

  it('scaleOut needs the shared database, itself among the peers, known split names and a sane timeout', () => {
    expectIssue({ ...baseConfig(), scaleOut: { self: 'a', peers: ['a', 'b'] } }, '$.scaleOut', 'store.kind to "postgres"');
    expectIssue({ ...baseConfig(), store: postgres, scaleOut: { self: 'x', peers: ['a', 'b'] } }, '$.scaleOut.self', 'not one of the peers');
    expectIssue({ ...baseConfig(), store: postgres, scaleOut: { self: 'a', peers: ['a', 'a', 'b'] } }, '$.scaleOut.peers', 'listed twice');
    expectIssue({ ...baseConfig(), store: postgres, scaleOut: { self: 'a', peers: ['a', 'b'], split: { z: 1 } } }, '$.scaleOut.split.z', 'not one of the peers');
    expectIssue({ ...baseConfig(), store: postgres, scaleOut: { self: 'a', peers: ['a', 'b'], heartbeatMs: 1000, peerTimeoutMs: 1500 } },
      '$.scaleOut.peerTimeoutMs', 'twice heartbeatMs');
  });
});

describe('config/scale-out.example.json', () => {
  it('is a valid three-server config', async () => {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(new URL('../../../config/scale-out.example.json', import.meta.url), 'utf8');
    const config = compiled(JSON.parse(text));
    expect(config.store.kind).toBe('postgres');
    expect(config.scaleOut?.peers).toEqual(['dhcp-a', 'dhcp-b', 'dhcp-c']);
  });
});
