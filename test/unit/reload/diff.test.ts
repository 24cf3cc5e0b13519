// What a reload reports it changed, and what it refuses to change live.
import { describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../../src/config/types.js';
import { diffConfigs, isEmptyDiff } from '../../../src/reload/diff.js';
import { restartOnlyChanges } from '../../../src/reload/restart-only.js';
import { compile } from '../../helpers/test-server.js';
import { labWire } from './helpers.js';

describe('config diff', () => {
  it('the same file gives an empty diff', () => {
    const diff = diffConfigs(compile(labWire()), compile(labWire()));
    expect(isEmptyDiff(diff)).toBe(true);
  });

  it('names subnets added, removed and changed by id, reservations by subnet and client, and changed sections', () => {
    const before = labWire();
    const after = labWire();
    after.subnets = [
      { ...after.subnets[0]!, router: ['198.51.100.254'], reservations: [{ clientId: '01:02:00:5e:10:00:77', address: '198.51.100.11' }] },
      { id: 3, subnet: '198.18.0.0/24', pools: [{ start: '198.18.0.10', end: '198.18.0.20' }], router: ['198.18.0.1'], leaseTime: 60 },
    ] as never;
    after.offerHoldSeconds = 30;
    Object.assign(after, { limits: { maxClients: 10 } });
    const diff = diffConfigs(compile(before), compile(after));
    expect(diff.subnets).toEqual({ added: [3], removed: [2], changed: [1] });
    expect(diff.reservations).toEqual({ added: ['1/id:0102005e100077'], removed: ['1/02:00:5e:10:00:10'] });
    expect([...diff.sections].sort()).toEqual(['limits', 'offerHoldSeconds']);
  });

  it('compares sections generically: one it has never heard of (e.g. security) is reported too', () => {
    const base = compile(labWire());
    const withSection = { ...base, security: { rateLimit: 5 } } as unknown as ServerConfig;
    const changed = { ...base, security: { rateLimit: 6 } } as unknown as ServerConfig;
    expect(diffConfigs(withSection, changed).sections).toEqual(['security']);
    expect(diffConfigs(base, withSection).sections).toEqual(['security']);
  });

  it('a changed store, listen address or interface list needs a restart: one issue per setting', () => {
    const before = compile(labWire());
    const after = compile({ ...labWire(), store: { kind: 'memory', path: 'elsewhere' }, listen: { port: 1067 } });
    expect(restartOnlyChanges(before, after).map((i) => i.path)).toEqual(['$.listen.port', '$.store.path']);
    expect(restartOnlyChanges(before, after)[0]!.message).toMatch(/restart/);
    expect(restartOnlyChanges(before, compile({ ...labWire(), interfaces: ['lab0', 'lab1'] })).map((i) => i.path))
      .toEqual(['$.interfaces']);
  });
});
