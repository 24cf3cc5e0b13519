// The native ICMP prober of the conflict check (RFC 2131 §4.4.1) on real sockets: inside a namespace of its own,
// an address a neighbour owns answers (with that neighbour's MAC from the ARP table), a free one stays silent
// until the timeout, and the socket closes so the process exits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { exec } from './harness/proc.js';
import { ip, nsName, removeNamespaces } from './transport.harness.js';
import { integrationSkip } from './harness/suite.js';

const skip = integrationSkip('icmp-prober');
const CHILD = join(import.meta.dirname, 'icmp-prober.child.ts');
const PROBER = nsName('icmp-a');
const OWNER = nsName('icmp-b');
const OWNER_MAC = '02:00:5e:10:0c:01';

interface Result {
  readonly ip: string;
  readonly kind: string;
  readonly from?: string;
  readonly mac?: string;
  readonly ms: number;
}

describe.skipIf(skip !== undefined)('native ICMP prober', () => {
  beforeAll(async () => {
    await removeNamespaces(false);
    for (const ns of [PROBER, OWNER]) {
      await ip('netns', 'add', ns);
      await ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    await ip('-n', PROBER, 'link', 'add', 'adn-ia', 'type', 'veth', 'peer', 'name', 'adn-ib', 'netns', OWNER);
    await ip('-n', OWNER, 'link', 'set', 'adn-ib', 'address', OWNER_MAC);
    await ip('-n', PROBER, 'addr', 'add', '198.51.100.1/24', 'dev', 'adn-ia');
    await ip('-n', OWNER, 'addr', 'add', '198.51.100.150/24', 'dev', 'adn-ib');
    await ip('-n', PROBER, 'link', 'set', 'adn-ia', 'up');
    await ip('-n', OWNER, 'link', 'set', 'adn-ib', 'up');
  }, 30_000);
  afterAll(async () => {
    await removeNamespaces(true);
  });

  it('an owned address answers with its owner; a free one is silent after the timeout', async () => {
    const targets = ['198.51.100.150', '198.51.100.151'];
    const r = await exec('ip', ['netns', 'exec', PROBER, process.execPath, '--import', 'tsx', CHILD, JSON.stringify(targets), '400'], {
      timeoutMs: 20_000,
    });
    expect(r.code, r.stderr).toBe(0);
    const [owned, free] = JSON.parse(r.stdout.trim()) as Result[];
    expect(owned).toMatchObject({ ip: '198.51.100.150', kind: 'reply', from: '198.51.100.150', mac: OWNER_MAC });
    expect(owned!.ms).toBeLessThan(400);
    expect(free).toMatchObject({ ip: '198.51.100.151', kind: 'silent' });
    expect(free!.ms).toBeGreaterThanOrEqual(390);
  }, 30_000);

  it('a network it has no route to is a send error, not a crash', async () => {
    const r = await exec('ip', ['netns', 'exec', PROBER, process.execPath, '--import', 'tsx', CHILD, JSON.stringify(['203.0.113.9']), '200'], {
      timeoutMs: 20_000,
    });
    expect(r.code, r.stderr).toBe(0);
    const [unroutable] = JSON.parse(r.stdout.trim()) as Result[];
    expect(unroutable).toMatchObject({ kind: 'error', error: { code: 'DHCPD_ERR_NET_SEND' } });
  }, 30_000);
});
