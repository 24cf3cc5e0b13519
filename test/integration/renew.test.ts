// Renewal (RFC 2131 §4.3.2 RENEWING, §4.4.5) with real clients and a short T1: ISC dhclient renews by itself,
// busybox udhcpc on demand; then the owner's grace period: an expired lease renewed within it, NAKed after it.
import { afterAll, describe, expect, it } from 'vitest';
import { getU32Option } from '../../src/codec/index.js';
import { BROADCAST_FLAG, MessageType } from '../../src/codec/types.js';
import { clientMessage } from '../helpers/test-client.js';
import { DhclientSession, UdhcpcSession } from './harness/clients.js';
import { CraftedClient, typeOf } from './harness/crafted.js';
import { DIRECT_POOL, type LogLine } from './harness/daemon.js';
import { SERVER_ADDRESS } from './harness/netns.js';
import { sleep } from './harness/proc.js';
import { SERVER_KIND, inRange, integrationSkip, useLab } from './harness/suite.js';

const skip = integrationSkip('renew');
const LEASE = 10;
const GRACE = 3;

describe.skipIf(skip !== undefined)(`lease renewal with a short T1 (${SERVER_KIND})`, () => {
  const ctx = useLab({ direct: [{}, {}, {}, {}] }, {
    leaseTime: LEASE,
    configure: (config) => {
      config['expiryGraceSeconds'] = GRACE;
      Object.assign(config.subnets[0]!, { renewalTime: 3, rebindingTime: 8 });
    },
  });
  const renewedLine = (ip: string, kind: string, timeoutMs: number): Promise<LogLine | undefined> =>
    SERVER_KIND === 'daemon'
      ? ctx.server.waitForEvt('lease.renewed', (l) => l['ip'] === ip && l['request'] === kind, timeoutMs)
      : sleep(timeoutMs / 2).then(() => undefined);
  let crafted: CraftedClient[] = [];
  afterAll(async () => {
    await Promise.all(crafted.map((c) => c.stop()));
  });

  it('ISC dhclient renews by itself at T1 with a unicast REQUEST and keeps its address', async () => {
    const session = await DhclientSession.start(ctx.lab.direct[0]!);
    const bound = session.lease!;
    expect(bound.reason).toBe('BOUND');
    expect(inRange(bound.ip, DIRECT_POOL)).toBe(true);
    const started = Date.now();
    const line = await renewedLine(bound.ip, 'renew', 12_000);
    if (line !== undefined) expect(line['reason']).toBe('renewed');
    for (const deadline = Date.now() + 8_000; session.lease?.reason !== 'RENEW' && Date.now() < deadline; ) await sleep(100);
    expect(session.lease?.reason).toBe('RENEW');
    expect(session.lease?.ip).toBe(bound.ip);
    // T1 is 3 s (dhclient picks 75–100 % of it): the renewal came long before the 10 s lease ran out.
    expect(Date.now() - started).toBeLessThan(LEASE * 1000);
    await session.stop();
  });

  it('busybox udhcpc renews on SIGUSR1 (unicast REQUEST) and keeps its address', async () => {
    const session = await UdhcpcSession.start(ctx.lab.direct[1]!);
    try {
      const bound = session.lease!;
      const renewed = await session.renew();
      expect(renewed.ip).toBe(bound.ip);
      expect(renewed.leaseTime).toBe(LEASE);
      await renewedLine(bound.ip, 'renew', 5_000);
    } finally {
      await session.stop();
    }
  });

  it('an expired lease is renewed within the grace period, and NAKed once it is over', async () => {
    const [a, b] = await Promise.all([
      CraftedClient.start(ctx.lab.direct[2]!, { address: '198.51.100.62' }),
      CraftedClient.start(ctx.lab.direct[3]!, { address: '198.51.100.63' }),
    ]);
    crafted = [a, b];
    const leased = await Promise.all([a, b].map(async (c) => {
      const client = { mac: c.c.mac };
      const offer = await c.exchange(clientMessage(client, MessageType.DISCOVER, { flags: BROADCAST_FLAG }));
      const ip = offer!.message!.yiaddr;
      const ack = await c.exchange(clientMessage(client, MessageType.REQUEST, { requested: ip, serverId: SERVER_ADDRESS, flags: BROADCAST_FLAG }));
      expect(typeOf(ack!.message!)).toBe(MessageType.ACK);
      await c.readdress(ip);
      return { c, client, ip };
    }));
    const renew = (l: (typeof leased)[number]) =>
      l.c.exchange(clientMessage(l.client, MessageType.REQUEST, { ciaddr: l.ip }), { to: SERVER_ADDRESS });
    // Neither renews at T1: both leases expire.
    if (SERVER_KIND === 'daemon') await ctx.server.waitForEvt('lease.expired', (l) => l['ip'] === leased[0]!.ip, (LEASE + 3) * 1000);
    else await sleep((LEASE + 0.5) * 1000);
    const inGrace = await renew(leased[0]!);
    expect(typeOf(inGrace!.message!)).toBe(MessageType.ACK);
    expect(getU32Option(inGrace!.message!, 51)).toBe(LEASE);
    if (SERVER_KIND === 'daemon') {
      const line = await ctx.server.waitForEvt('lease.renewed', (l) => l['ip'] === leased[0]!.ip && l['reason'] === 'grace-renewal', 3_000);
      expect(line['request']).toBe('renew');
    }
    await sleep((GRACE + 1) * 1000);
    const late = await renew(leased[1]!);
    expect(typeOf(late!.message!)).toBe(MessageType.NAK);
  }, 30_000);
});
