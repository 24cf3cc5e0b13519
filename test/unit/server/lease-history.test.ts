// The daemon in process: every lease transition reaches App.onLeaseTransition with the request that caused it,
// and the history is stored with the lease (offer included) and survives a restart on LevelDB.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { MessageType } from '../../../src/codec/types.js';
import type { LeaseTransition } from '../../../src/leases/transition.js';
import { openLevelStore, openMemoryStore } from '../../../src/store/open.js';
import { clientMessage } from '../../helpers/test-client.js';
import { bindClient, SERVER_ID, startTestServer } from '../../helpers/test-server.js';
import { makeTempDir } from '../store/helpers.js';

describe('lease transitions of the running daemon', () => {
  it('are reported live and stored with the lease, surviving a restart', async () => {
    const temp = await makeTempDir();
    const clock = new ManualClock(Date.now());
    try {
      const server = await startTestServer(await openLevelStore(temp.dir), undefined, clock);
      const seen: LeaseTransition[] = [];
      const unsubscribe = server.app.onLeaseTransition((t) => seen.push(t));
      const client = { mac: '02:00:5e:10:00:01' };
      const { ip, ack } = await bindClient(server, client);
      const renew = await server.exchange(clientMessage(client, MessageType.REQUEST, { ciaddr: ip, xid: 0x4242 }), { from: ip });
      expect(renew?.message.yiaddr).toBe(ip);
      expect(seen.map((t) => `${t.from}>${t.to} ${t.event}`)).toEqual([
        'none>offered lease.offer',
        'offered>bound lease.commit',
        'bound>bound lease.commit',
      ]);
      expect(seen[1]).toMatchObject({ ip, subnetId: 1, clientKey: 'hw:1:02:00:5e:10:00:01', xid: ack.xid });
      expect(seen[1]!.message).toBe(`DHCPREQUEST from 02:00:5e:10:00:01 for ${ip}`);
      expect(seen[2]).toMatchObject({ xid: 0x4242, message: `DHCPREQUEST from 02:00:5e:10:00:01 (ciaddr ${ip})` });
      unsubscribe();
      await server.exchange(clientMessage(client, MessageType.RELEASE, { ciaddr: ip, serverId: SERVER_ID }), { waitMs: 50 });
      expect(seen).toHaveLength(3);
      expect(await server.stop()).toBe(0);

      const again = await startTestServer(await openLevelStore(temp.dir), undefined, clock);
      const history = await again.app.history.history(ip);
      expect(history.map((t) => `${t.from}>${t.to}`)).toEqual(['none>offered', 'offered>bound', 'bound>bound', 'bound>released']);
      expect(history.slice(0, 3)).toEqual(seen);
      await again.stop();
    } finally {
      await temp.remove();
    }
  });

  it('an offer nobody REQUESTs waits in memory until its address is written, counted in statistics', async () => {
    const clock = new ManualClock(Date.now());
    const server = await startTestServer(await openMemoryStore(), undefined, clock);
    for (const mac of ['02:00:5e:10:07:01', '02:00:5e:10:07:02']) await server.exchange(clientMessage({ mac }, MessageType.DISCOVER));
    clock.advance(61_000); // past the offer hold: both offers reclaimed, neither ever written
    expect(server.app.statistics().history).toEqual({ addresses: 2, transitions: 4, dropped: 0 });
    expect(await server.stop()).toBe(0);
  });

  it('a listener that throws is logged, and neither the lease nor other listeners suffer', async () => {
    const temp = await makeTempDir();
    try {
      const server = await startTestServer(await openLevelStore(temp.dir));
      const seen: string[] = [];
      server.app.onLeaseTransition(() => {
        throw new Error('listener bug');
      });
      server.app.onLeaseTransition((t) => seen.push(t.to));
      const { ip } = await bindClient(server, { mac: '02:00:5e:10:00:02' });
      expect(seen).toEqual(['offered', 'bound']);
      expect(server.app.lease(ip)?.state).toBe('bound');
      await server.stop();
    } finally {
      await temp.remove();
    }
  });
});
