// A reservation by MAC belongs to the host, whatever client identifier it uses (issue 9): busybox udhcpc binds
// the reserved address with option 61 (01 + MAC); ISC dhclient on the same interface, which sends no option 61,
// then gets the same address (the stale binding is superseded, no reservation.conflict); dhcpcd, with option 61
// again, takes it back.
import { describe, expect, it } from 'vitest';
import { DhclientSession, dhcpcd, udhcpc } from './harness/clients.js';
import { SERVER_KIND, integrationSkip, useLab } from './harness/suite.js';

const skip = integrationSkip('reservation-same-host');
const HOST_MAC = '02:00:5e:10:00:e1';
const RESERVED = '198.51.100.21';

describe.skipIf(skip !== undefined || SERVER_KIND !== 'daemon')('a reserved host under several client identifiers', () => {
  const ctx = useLab({ direct: [{ mac: HOST_MAC }] }, {
    configure: (config) => {
      (config.subnets[0]!['reservations'] as unknown[]).push({ hwAddress: HOST_MAC, address: RESERVED });
    },
  });

  it('udhcpc (option 61), then dhclient (none), then dhcpcd (option 61) all get the reserved address', async () => {
    const host = ctx.lab.direct[0]!;
    expect((await udhcpc(host)).ip).toBe(RESERVED);
    const dhclient = await DhclientSession.start(host);
    try {
      expect(dhclient.lease?.ip).toBe(RESERVED);
      const superseded = await ctx.server.waitForEvt('lease.released', (l) => l['reason'] === 'same-host' && l['ip'] === RESERVED);
      expect(String(superseded['client'])).toMatch(/^id:01/);
      expect(String(superseded['by'])).toBe(`hw:1:${HOST_MAC}`);
    } finally {
      await dhclient.stop();
    }
    expect((await dhcpcd(host)).ip).toBe(RESERVED);
    expect(ctx.server.logs.filter((l) => l['evt'] === 'reservation.conflict')).toEqual([]);
  });
});
