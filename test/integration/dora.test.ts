// DORA on a directly attached segment (RFC 2131 §3.1): udhcpc, dhclient and dhcpcd each get a distinct pool address.
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { getOption } from '../../src/codec/index.js';
import { BROADCAST_FLAG, MessageType } from '../../src/codec/types.js';
import { clientMessage } from '../helpers/test-client.js';
import { DhclientSession, dhcpcd, udhcpc, type LeaseResult } from './harness/clients.js';
import { CraftedClient, typeOf } from './harness/crafted.js';
import { sleep } from './harness/proc.js';
import { controlRequest } from '../../src/control/client.js';
import { controlSocket, DIRECT_POOL, RESERVED_IP, RESERVED_MAC } from './harness/daemon.js';
import { SERVER_ADDRESS } from './harness/netns.js';
import { SERVER_KIND, inRange, integrationSkip, useLab } from './harness/suite.js';

const skip = integrationSkip('dora');

describe.skipIf(skip !== undefined)(`DORA with real clients on a direct segment (${SERVER_KIND})`, () => {
  const ctx = useLab({ direct: [{}, {}, {}, { mac: RESERVED_MAC }, {}] });
  let crafted: CraftedClient | undefined;
  afterAll(async () => {
    await crafted?.stop();
  });
  const got: LeaseResult[] = [];

  const expectPoolLease = (lease: LeaseResult): void => {
    expect(inRange(lease.ip, DIRECT_POOL), `${lease.client} got ${lease.ip}`).toBe(true);
    expect(lease.mask).toBe('255.255.255.0');
    expect(lease.router).toBe(SERVER_ADDRESS);
    expect(lease.serverId).toBe(SERVER_ADDRESS);
    expect(lease.leaseTime).toBe(120);
  };

  const expectBoundLogged = async (lease: LeaseResult, mac: string): Promise<void> => {
    if (SERVER_KIND !== 'daemon') return;
    const line = await ctx.server.waitForEvt('lease.bound', (l) => l['ip'] === lease.ip, 5_000);
    // However the daemon spells the client key (client-id 01+MAC or htype+chaddr), the MAC's hex is in it.
    const key = String(line['client'] ?? '').toLowerCase().replace(/[^0-9a-f]/g, '');
    expect(key).toContain(mac.replaceAll(':', ''));
  };

  it.skipIf(SERVER_KIND !== 'daemon')('warmed its packet path on synthetic exchanges before it served, and left no scratch store', async () => {
    const evts = ctx.server.logs.map((l) => l.evt);
    expect(evts.indexOf('server.warmed')).toBeGreaterThanOrEqual(0);
    expect(evts.indexOf('server.warmed')).toBeLessThan(evts.indexOf('server.ready'));
    const warmed = ctx.server.logs.find((l) => l.evt === 'server.warmed')!;
    expect(warmed['acks']).toBeGreaterThan(0);
    expect(warmed['scratch']).toMatch(/actor-dhcpd-warmup-\d+-/);
    expect(existsSync(warmed['scratch'] as string)).toBe(false);
  });

  it('busybox udhcpc gets a pool address', async () => {
    const c = ctx.lab.direct[0]!;
    const lease = await udhcpc(c);
    expectPoolLease(lease);
    await expectBoundLogged(lease, c.mac);
    got.push(lease);
  });

  it('ISC dhclient gets a pool address', async () => {
    const c = ctx.lab.direct[1]!;
    const session = await DhclientSession.start(c);
    const lease = session.lease!;
    expect(lease.reason).toBe('BOUND');
    expectPoolLease(lease);
    await expectBoundLogged(lease, c.mac);
    got.push(lease);
  });

  it('dhcpcd gets a pool address', async () => {
    const c = ctx.lab.direct[2]!;
    const lease = await dhcpcd(c);
    expect(lease.reason).toBe('BOUND');
    expectPoolLease(lease);
    await expectBoundLogged(lease, c.mac);
    got.push(lease);
  });

  it('different clients get different addresses', () => {
    expect(got.map((l) => l.client)).toEqual(['udhcpc', 'dhclient', 'dhcpcd']);
    expect(new Set(got.map((l) => l.ip)).size).toBe(got.length);
  });

  it.skipIf(SERVER_KIND !== 'daemon')('took the real clients\' broadcast DISCOVERs through the DISCOVER lane, each once', async () => {
    const opened = ctx.server.logs.find((l) => l.evt === 'net.discover_lane');
    expect(opened).toMatchObject({ askedBytes: 4_194_304, grantedBytes: 4_194_304 });
    const stats = (await controlRequest({ socket: controlSocket(ctx.setup) }, '/v1/stats')).json as {
      counters: { received: Record<string, number> };
      transport: { counters: { discoverLane: boolean; discoverLaneReceived: number; discoverLaneDrops: number; receiveQueueDrops: number } };
    };
    const lane = stats.transport.counters;
    expect(lane).toMatchObject({ discoverLane: true, discoverLaneDrops: 0, receiveQueueDrops: 0 });
    // The DISCOVERs the server counted are those the lane delivered: none came twice (main socket and lane), none
    // took the main queue (all three clients put option 53 first).
    expect(lane.discoverLaneReceived).toBeGreaterThanOrEqual(3);
    expect(stats.counters.received['DISCOVER']).toBe(lane.discoverLaneReceived);
  });

  it(`the reserved MAC ${RESERVED_MAC} gets ${RESERVED_IP}`, async () => {
    const lease = await udhcpc(ctx.lab.direct[3]!);
    expect(lease.ip).toBe(RESERVED_IP);
    expect(lease.router).toBe(SERVER_ADDRESS);
  });

  it('a retransmitted DISCOVER, and a new one while the offer is held, get the same address', async () => {
    crafted = await CraftedClient.start(ctx.lab.direct[4]!, { address: '198.51.100.64' });
    const client = { mac: crafted.c.mac, clientId: Buffer.from(`01${crafted.c.mac.replaceAll(':', '')}`, 'hex') };
    const discover = clientMessage(client, MessageType.DISCOVER, { flags: BROADCAST_FLAG });
    const first = (await crafted.exchange(discover))!.message!;
    expect(typeOf(first)).toBe(MessageType.OFFER);
    // RFC 6842: the client identifier comes back; RFC 2131 §4.1: so does the broadcast bit.
    expect(getOption(first, 61)).toEqual(client.clientId);
    expect(first.flags & BROADCAST_FLAG).toBe(BROADCAST_FLAG);
    const before = crafted.repliesTo(discover.xid).length;
    await crafted.send(discover);
    for (const end = Date.now() + 3_000; crafted.repliesTo(discover.xid).length === before && Date.now() < end; ) await sleep(20);
    expect(crafted.repliesTo(discover.xid)[before]?.message?.yiaddr).toBe(first.yiaddr);
    const fresh = await crafted.exchange(clientMessage(client, MessageType.DISCOVER, { flags: BROADCAST_FLAG }));
    expect(fresh!.message!.yiaddr).toBe(first.yiaddr);
  });
});
