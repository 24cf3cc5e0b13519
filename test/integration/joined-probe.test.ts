// A single-shot DISCOVER sent while every address of a fresh pool is in its ICMP conflict check (issue 10: in the
// first 500 ms of a hostile flood onto a fresh pool, 248 DISCOVERs were dropped as offers-shielded). A burst of
// DISCOVERs from random MACs puts the whole pool into its probes; the probe DISCOVER then joins one of them and is
// offered that address, unreserved, when the probe ends clean — instead of being dropped and, never retransmitted,
// never answered. Real ICMP probes of the daemon in its namespace, real packets on the lab bridge.
import { describe, expect, it } from 'vitest';
import { MessageType } from '../../src/codec/types.js';
import { clientMessage } from '../helpers/test-client.js';
import { CraftedClient, typeOf } from './harness/crafted.js';
import { SERVER_KIND, inRange, integrationSkip, useLab } from './harness/suite.js';

const skip = integrationSkip('joined-probe') ?? (SERVER_KIND === 'kea' ? 'Kea does not probe before an offer' : undefined);
const POOL = { start: '198.51.100.100', end: '198.51.100.109' };
const POOL_SIZE = 10;
const BURST = 2 * POOL_SIZE;
/** Long enough that the burst fills every probe, and the probe DISCOVER arrives, before the first one ends. */
const PROBE_TIMEOUT_MS = 1_500;
/** The hostile run's liveness criterion: an OFFER within 3 s of a single DISCOVER. */
const LIVENESS_MS = 3_000;
const BROADCAST_FLAG = 0x8000;
const burstMac = (i: number) => `02:00:5e:77:00:${i.toString(16).padStart(2, '0')}`;

describe.skipIf(skip !== undefined)('a DISCOVER while the whole pool is in its conflict check (daemon)', () => {
  const ctx = useLab({ direct: [{}] }, {
    configure: (config) => {
      config.subnets[0]!['pools'] = [POOL];
      config['conflictCheck'] = { enabled: true, timeoutMs: PROBE_TIMEOUT_MS };
    },
  });

  it('a single-shot DISCOVER joins a probe in flight and gets its OFFER within 3 s', async () => {
    const client = await CraftedClient.start(ctx.lab.direct[0]!, { address: '198.51.100.245' });
    try {
      const burst = Array.from({ length: BURST }, (_, i) => clientMessage({ mac: burstMac(i) }, MessageType.DISCOVER, { flags: BROADCAST_FLAG }));
      await Promise.all(burst.map((d) => client.send(d)));
      // Every address held for the burst and in its probe: no OFFER has gone out yet.
      for (const start = Date.now(); ctx.server.logs.filter((l) => l.evt === 'lease.offered').length < POOL_SIZE;) {
        if (Date.now() - start > PROBE_TIMEOUT_MS / 2) throw new Error('the burst did not fill the pool in time');
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(burst.filter((d) => client.repliesTo(d.xid).length > 0)).toHaveLength(0);

      const probe = clientMessage({ mac: '02:00:5e:77:01:01' }, MessageType.DISCOVER, { flags: BROADCAST_FLAG });
      const offer = await client.exchange(probe, { waitMs: LIVENESS_MS });
      expect(offer?.message, `no OFFER within ${LIVENESS_MS} ms`).toBeDefined();
      expect(typeOf(offer!.message!)).toBe(MessageType.OFFER);
      expect(inRange(offer!.message!.yiaddr, POOL)).toBe(true);
      // Answered when its probe ended, not dropped as shielded.
      expect(ctx.server.logs.find((l) => l.evt === 'offer.joined_probe')).toBeDefined();
      expect(ctx.server.logs.find((l) => l.evt === 'offer.shielded')).toBeUndefined();
    } finally {
      await client.stop();
    }
  }, 60_000);
});
