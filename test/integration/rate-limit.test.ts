// The rate limit's per-relay and per-interface buckets with real traffic, in network namespaces (issue 10 §2, §3):
// each relay (giaddr) and each receiving interface has its own bucket, so one noisy relay or port is cut off while
// another relay, and clients behind the real relay (dhcrelay), are still served. A crafted client on the served
// bridge plays two relays (its own two addresses as giaddr, replies come back to it on port 67) and a flood of
// direct clients (broadcast, replies on port 68). One lab for the file; the tests run in order on shared buckets.
import { describe, expect, it } from 'vitest';
import { MessageType, type DhcpMessage } from '../../src/codec/types.js';
import { clientMessage } from '../helpers/test-client.js';
import { udhcpc } from './harness/clients.js';
import { CraftedClient, typeOf } from './harness/crafted.js';
import { RELAY_POOL } from './harness/daemon.js';
import { BRIDGE, SERVER_ADDRESS } from './harness/netns.js';
import { run } from './harness/proc.js';
import { inRange, integrationSkip, SERVER_KIND, useLab } from './harness/suite.js';

const skip = integrationSkip('rate-limit') ?? (SERVER_KIND === 'kea' ? 'our rate limit only' : undefined);

const RELAY_A = '198.51.100.245';
const RELAY_B = '198.51.100.246';
const RELAY_BURST = 8;
const INTERFACE_BURST = 30;
/** Slow enough that no token comes back while a test runs (one every 20 s). */
const SLOW = 0.05;
const BROADCAST_FLAG = 0x8000;
const mac = (group: number, i: number) => `02:00:5e:7${group}:00:${i.toString(16).padStart(2, '0')}`;

describe.skipIf(skip !== undefined)('per-relay and per-interface rate limits with real traffic (daemon)', () => {
  const ctx = useLab({ direct: [{}], relayed: [{}] }, {
    configure: (config) => {
      config['security'] = {
        rateLimit: { relay: { perSecond: SLOW, burst: RELAY_BURST }, interface: { perSecond: SLOW, burst: INTERFACE_BURST } },
        // Rejections are logged aggregated: a short interval so their counts are written while the test looks.
        logIntervalSeconds: 1,
      };
    },
  });
  const rejectedCount = (reason: string): number => ctx.server.logs
    .filter((l) => l.evt === 'security.rejected' && l['reason'] === reason)
    .reduce((n, l) => n + Number(l['count'] ?? 1), 0);

  /** Sends every message, then counts those answered with an OFFER within `waitMs`. */
  async function offered(c: CraftedClient, messages: readonly DhcpMessage[], to: string, waitMs = 1_500): Promise<number> {
    for (const m of messages) await c.send(m, to);
    await new Promise((r) => setTimeout(r, waitMs));
    return messages.filter((m) => c.repliesTo(m.xid).some((r) => r.message !== undefined && typeOf(r.message) === MessageType.OFFER)).length;
  }
  const relayed = (giaddr: string, group: number, n: number): DhcpMessage[] =>
    Array.from({ length: n }, (_, i) => ({ ...clientMessage({ mac: mac(group, i), giaddr }, MessageType.DISCOVER), hops: 1 }));
  const direct = (group: number, n: number): DhcpMessage[] =>
    Array.from({ length: n }, (_, i) => clientMessage({ mac: mac(group, i) }, MessageType.DISCOVER, { flags: BROADCAST_FLAG }));

  it('a relay over its rate is cut off at its burst while another relay on the same port is served', async () => {
    const c = await CraftedClient.start(ctx.lab.direct[0]!, { address: RELAY_A, ports: [67, 68] });
    try {
      await run('ip', ['-n', ctx.lab.direct[0]!.ns, 'addr', 'add', `${RELAY_B}/24`, 'dev', ctx.lab.direct[0]!.iface], { timeoutMs: 5_000 });
      expect(await offered(c, relayed(RELAY_A, 1, 20), SERVER_ADDRESS)).toBe(RELAY_BURST);
      expect(await offered(c, relayed(RELAY_B, 2, 4), SERVER_ADDRESS)).toBe(4);
    } finally {
      await c.stop();
    }
    await expect.poll(() => rejectedCount('rate-limit/relay-rate'), { timeout: 5_000 }).toBe(20 - RELAY_BURST);
  });

  it('a port over its rate is cut off at its burst while clients behind the real relay still bind', async () => {
    const c = await CraftedClient.start(ctx.lab.direct[0]!, { address: RELAY_A, ports: [68] });
    try {
      // The bridge's bucket paid for the 8 + 4 relayed DISCOVERs let through above (a relay-rate rejection comes first).
      const left = INTERFACE_BURST - RELAY_BURST - 4;
      expect(await offered(c, direct(3, left + 10), '255.255.255.255')).toBe(left);
      await expect.poll(() => rejectedCount('rate-limit/interface-rate'), { timeout: 5_000 }).toBe(10);
      // The relayed segment comes in over the transit link: not the bridge's bucket.
      const lease = await udhcpc(ctx.lab.relayed[0]!, { timeoutMs: 30_000 });
      expect(inRange(lease.ip, RELAY_POOL)).toBe(true);
      // The bridge stays cut off.
      expect(await offered(c, direct(4, 1), '255.255.255.255')).toBe(0);
    } finally {
      await c.stop();
    }
    const sample = ctx.server.logs.find((l) => l.evt === 'security.rejected' && l['reason'] === 'rate-limit/interface-rate');
    expect(sample).toMatchObject({ iface: BRIDGE });
  });
});
