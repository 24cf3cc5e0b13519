// The lease class of errors reaches the log with its code: an exhausted pool, a reservation held by another
// client (the reserving client gets a pool address), a relay on a link with no subnet.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageType } from '../../../src/codec/types.js';
import { LevelLeaseStore } from '../../../src/store/level-store.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { clientMessage } from '../../helpers/test-client.js';
import { LAB_CONFIG } from '../../helpers/test-server.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/test-daemon.js';

const codeOf = (s: TestDaemon, evt: string) =>
  s.logs.filter((l) => l.evt === evt).map((l) => (l.err as { code?: string } | undefined)?.code);

describe('lease errors', () => {
  const dirs: string[] = [];
  const servers: TestDaemon[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.app.stop();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('an exhausted pool is logged as DHCPD_ERR_LEASE_POOL_EXHAUSTED and counted in the lease class', async () => {
    const s = startTestDaemon({ captureLogs: true, store: await openMemoryStore() });
    servers.push(s);
    await s.app.ready;
    // Bound, not merely offered: an unrequested offer would yield to the new client (offer-yield.test.ts).
    for (let i = 0; i < 10; i++) {
      const client = { mac: `02:00:5e:10:02:${i.toString(16).padStart(2, '0')}` };
      const offer = await s.exchange(clientMessage(client, MessageType.DISCOVER));
      await s.exchange(clientMessage(client, MessageType.REQUEST, { requested: offer!.message.yiaddr, serverId: '198.51.100.1' }));
    }
    expect(await s.exchange(clientMessage({ mac: '02:00:5e:10:02:99' }, MessageType.DISCOVER))).toBeUndefined();
    expect(codeOf(s, 'pool.exhausted')).toEqual(['DHCPD_ERR_LEASE_POOL_EXHAUSTED']);
    expect(s.app.statistics().counters.errors?.lease).toBe(1);
  });

  it('a relayed request from a link with no subnet is logged as DHCPD_ERR_LEASE_NO_SUBNET', async () => {
    const s = startTestDaemon({ captureLogs: true, store: await openMemoryStore() });
    servers.push(s);
    await s.app.ready;
    expect(await s.exchange(clientMessage({ mac: '02:00:5e:10:02:50', giaddr: '198.18.5.1' }, MessageType.DISCOVER))).toBeUndefined();
    expect(codeOf(s, 'dhcp.no_subnet')).toEqual(['DHCPD_ERR_LEASE_NO_SUBNET']);
  });

  it('a reservation held by another client is logged as DHCPD_ERR_LEASE_CONFLICT; its client gets a pool address', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'adlerr-'));
    dirs.push(dir);
    const store = () => new LevelLeaseStore(new Level<string, string>(join(dir, 'db'), { createIfMissing: true }), { location: dir });
    const before = startTestDaemon({ captureLogs: true, store: store() });
    await before.app.ready;
    const squatter = { mac: '02:00:5e:10:02:60' };
    const offer = await before.exchange(clientMessage(squatter, MessageType.DISCOVER));
    const taken = offer!.message.yiaddr;
    await before.exchange(clientMessage(squatter, MessageType.REQUEST, { requested: taken, serverId: '198.51.100.1' }));
    await before.app.stop();
    // The operator reserves that address for another host and restarts.
    const wire = structuredClone(LAB_CONFIG);
    wire.subnets[0]!.reservations = [{ hwAddress: '02:00:5e:10:02:61', address: taken }];
    const after = startTestDaemon({ captureLogs: true, store: store(), wire });
    servers.push(after);
    await after.app.ready;
    const other = await after.exchange(clientMessage({ mac: '02:00:5e:10:02:61' }, MessageType.DISCOVER));
    expect(other?.message.yiaddr).toMatch(/^198\.51\.100\.10\d$/);
    expect(other?.message.yiaddr).not.toBe(taken);
    expect(codeOf(after, 'reservation.conflict')).toEqual(['DHCPD_ERR_LEASE_CONFLICT']);
  });
});
