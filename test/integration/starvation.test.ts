// A pool-starvation attack with the limits on, for real (issue 10 §3): from one port (a switch inserting option 82
// circuit-id "evil-port"), hundreds of random MACs each go through DISCOVER and REQUEST, then 10^4 DISCOVERs from
// random MACs (the hostile generator) flood the segment. The starvation guard lets that circuit hold at most
// `maxActiveLeasesPerCircuitId` leases, and a real client (busybox udhcpc) still binds afterwards.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MessageType } from '../../src/codec/types.js';
import { clientMessage } from '../helpers/test-client.js';
import { udhcpc } from './harness/clients.js';
import { CraftedClient, typeOf } from './harness/crafted.js';
import { DIRECT_POOL, REPO } from './harness/daemon.js';
import { exec, sleep } from './harness/proc.js';
import { SERVER_ADDRESS } from './harness/netns.js';
import { inRange, integrationSkip, SERVER_KIND, useLab } from './harness/suite.js';

const skip = integrationSkip('starvation') ?? (SERVER_KIND === 'kea' ? 'our starvation guard only' : undefined);
const MAX_PER_CIRCUIT = 5;
const ATTACKERS = 300;
const BROADCAST_FLAG = 0x8000;
const circuit = { code: 82, data: Buffer.from([1, 9, ...Buffer.from('evil-port')]) };
const attackerMac = (i: number) => `02:00:5e:88:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;

describe.skipIf(skip !== undefined)('pool starvation with the limits on (daemon)', () => {
  const ctx = useLab({ direct: [{}, {}, {}] }, {
    configure: (config) => {
      config['security'] = { rateLimit: { circuitId: { perSecond: 200, burst: 400 }, maxActiveLeasesPerCircuitId: MAX_PER_CIRCUIT } };
    },
  });

  it('one circuit holds at most its limit of leases, a DISCOVER flood takes none, and a real client still binds', async () => {
    const attacker = await CraftedClient.start(ctx.lab.direct[0]!, { address: '198.51.100.245' });
    try {
      const discovers = Array.from({ length: ATTACKERS }, (_, i) =>
        clientMessage({ mac: attackerMac(i) }, MessageType.DISCOVER, { flags: BROADCAST_FLAG, extra: [circuit] }));
      for (const d of discovers) await attacker.send(d);
      await sleep(2_000);
      const offers = discovers.flatMap((d, i) => {
        const offer = attacker.repliesTo(d.xid).find((r) => r.message !== undefined && typeOf(r.message) === MessageType.OFFER);
        return offer === undefined ? [] : [{ i, yiaddr: offer.message!.yiaddr }];
      });
      expect(offers.length).toBeGreaterThan(MAX_PER_CIRCUIT);
      const requests = offers.map(({ i, yiaddr }) => clientMessage({ mac: attackerMac(i) }, MessageType.REQUEST, {
        flags: BROADCAST_FLAG, requested: yiaddr, serverId: SERVER_ADDRESS, extra: [circuit],
      }));
      for (const r of requests) await attacker.send(r);
      await sleep(2_000);
      const acks = requests.filter((r) => attacker.repliesTo(r.xid).some((x) => x.message !== undefined && typeOf(x.message) === MessageType.ACK));
      expect(acks).toHaveLength(MAX_PER_CIRCUIT);
    } finally {
      await attacker.stop();
    }
    const flooder = ctx.lab.direct[1]!;
    await exec('ip', ['-n', flooder.ns, 'addr', 'replace', '198.51.100.246/24', 'dev', flooder.iface], { timeoutMs: 5_000 });
    const flood = await exec('ip', ['netns', 'exec', flooder.ns, process.execPath, join(REPO, 'bench/hostile/hostile-traffic.mjs'),
      '--mode', 'discover', '--count', '10000', '--rate', '2000', '--seed', '5', '--probe-every', '100000'], { timeoutMs: 60_000 });
    expect(flood.code).toBe(0);
    const lease = await udhcpc(ctx.lab.direct[2]!, { timeoutMs: 40_000 });
    expect(inRange(lease.ip, DIRECT_POOL)).toBe(true);
    const bound = ctx.server.logs.filter((l) => l.evt === 'lease.bound' && String(l['client'] ?? '').includes('02:00:5e:88'));
    expect(bound).toHaveLength(MAX_PER_CIRCUIT);
    expect(ctx.server.logs.find((l) => l.evt === 'security.rejected' && l['reason'] === 'rate-limit/circuit-id-lease-limit')).toBeDefined();
  }, 180_000);
});
