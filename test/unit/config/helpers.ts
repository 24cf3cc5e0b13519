// Shared fixtures for config tests: a valid base config to mutate, and issue assertions.
import { expect } from 'vitest';
import type { z } from 'zod';
import type { ConfigIssue, ServerConfig } from '../../../src/config/index.js';
import { parseConfig } from '../../../src/config/index.js';
import type { ConfigSchema } from '../../../src/config/schema.js';

export type WireInput = z.input<typeof ConfigSchema>;
export type SubnetInput = WireInput['subnets'][number];

export const BASE_DIR = '/etc/actor-dhcpd';

/** A fresh, valid config (one direct, one relayed subnet) for each test to break in one place. */
export function baseConfig(): WireInput {
  return {
    serverId: '198.51.100.1',
    interfaces: ['lab0'],
    subnets: [
      {
        subnet: '198.51.100.0/24',
        interface: 'lab0',
        pools: [{ start: '198.51.100.100', end: '198.51.100.199' }],
        reservations: [{ hwAddress: '02:00:5e:10:00:10', address: '198.51.100.10' }],
      },
      { subnet: '203.0.113.0/24', pools: ['203.0.113.100-203.0.113.199'], router: ['203.0.113.1'] },
    ],
  };
}

/** The i-th subnet of a config built by baseConfig (throws if absent, so tests fail loudly). */
export function subnet(config: WireInput, i: number): SubnetInput {
  const s = config.subnets[i];
  if (s === undefined) throw new Error(`no subnet ${i}`);
  return s;
}

export function compile(config: unknown): ReturnType<typeof parseConfig> {
  return parseConfig(JSON.stringify(config), { baseDir: BASE_DIR });
}

export function compiled(config: unknown): ServerConfig {
  const result = compile(config);
  if (!result.ok) throw new Error(`expected a valid config, got ${JSON.stringify(result.errors, null, 2)}`);
  return result.config;
}

export function issuesOf(config: unknown): ConfigIssue[] {
  const result = compile(config);
  if (result.ok) throw new Error('expected the config to be rejected');
  return result.errors;
}

/** Asserts an issue at exactly `path` whose message matches `message`. */
export function expectIssue(config: unknown, path: string, message: string | RegExp): void {
  const issues = issuesOf(config);
  const atPath = issues.filter((issue) => issue.path === path);
  expect(atPath, `issues: ${JSON.stringify(issues)}`).not.toHaveLength(0);
  const pattern = typeof message === 'string' ? new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : message;
  expect(atPath.map((issue) => issue.message)).toContainEqual(expect.stringMatching(pattern));
}
