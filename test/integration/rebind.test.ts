// Rebinding (RFC 2131 §4.3.2 REBINDING, §4.4.5): a real dhclient that cannot reach its server by unicast
// rebinds by broadcast at T2; crafted broadcast REQUESTs with ciaddr cover the relay, the wrong network and an
// unknown client (silence: another server may hold that lease).
import { afterAll, describe, expect, it } from 'vitest';
import { BROADCAST_FLAG, MessageType, type DhcpMessage } from '../../src/codec/types.js';
import { clientMessage } from '../helpers/test-client.js';
import { DhclientSession } from './harness/clients.js';
import { CraftedClient, typeOf } from './harness/crafted.js';
import { RELAY_GIADDR, SERVER_ADDRESS } from './harness/netns.js';
import { run, sleep } from './harness/proc.js';
import { SERVER_KIND, integrationSkip, useLab } from './harness/suite.js';

const skip = integrationSkip('rebind');
const B = BROADCAST_FLAG;

describe.skipIf(skip !== undefined)(`lease rebinding (${SERVER_KIND})`, () => {
  const ctx = useLab({ direct: [{}, {}, {}], relayed: [{}] }, {
    leaseTime: 30,
    configure: (config) => {
      Object.assign(config.subnets[0]!, { renewalTime: 2, rebindingTime: 5 });
    },
  });
  const crafted: CraftedClient[] = [];
  afterAll(async () => {
    await Promise.all(crafted.map((c) => c.stop()));
  });

  /** DORA by broadcast, then the interface takes the leased address (as a real client's script would). */
  async function bound(c: CraftedClient, giaddr?: string): Promise<{ client: { mac: string }; ip: string }> {
    const client = { mac: c.c.mac };
    const offer = await c.exchange(clientMessage(client, MessageType.DISCOVER, { flags: B }), { waitMs: 5_000 });
    const ip = offer!.message!.yiaddr;
    const ack = await c.exchange(clientMessage(client, MessageType.REQUEST, { requested: ip, serverId: SERVER_ADDRESS, flags: B }), { waitMs: 5_000 });
    expect(typeOf(ack!.message!)).toBe(MessageType.ACK);
    if (giaddr !== undefined) expect(ack!.message!.giaddr).toBe(giaddr);
    await c.readdress(ip);
    return { client, ip };
  }

  const rebindRequest = (client: { mac: string }, ciaddr: string): DhcpMessage =>
    clientMessage(client, MessageType.REQUEST, { ciaddr, flags: B });

  it('ISC dhclient whose unicast renewals cannot reach the server rebinds by broadcast at T2', async () => {
    const c = ctx.lab.direct[0]!;
    const session = await DhclientSession.start(c);
    const first = session.lease!;
    // Unicast to the server is refused inside the client's namespace only; dhclient broadcasts through a packet
    // socket, which routing does not see, so only its RENEWING requests are lost.
    await run('ip', ['-n', c.ns, 'route', 'add', 'prohibit', `${SERVER_ADDRESS}/32`], { timeoutMs: 5_000 });
    const blockedAt = Date.now();
    const seen = session.events().length;
    if (SERVER_KIND === 'daemon') {
      const line = await ctx.server.waitForEvt('lease.renewed', (l) => l['ip'] === first.ip && l['request'] === 'rebind', 15_000);
      expect(line['reason']).toBe('rebound');
      const after = ctx.server.logs.filter((l) => l['ip'] === first.ip && Number(l['time']) > blockedAt + 500);
      expect(after.map((l) => l['request']), 'no unicast renewal got through').not.toContain('renew');
    }
    // ISC dhclient never enters its S_REBINDING state: a broadcast renewal at T2 still runs the hook as RENEW.
    for (const deadline = Date.now() + 15_000; !session.events().slice(seen).includes('RENEW') && Date.now() < deadline; ) await sleep(100);
    expect(session.events().slice(seen)).toContain('RENEW');
    expect(session.lease?.ip).toBe(first.ip);
    await session.stop();
  }, 40_000);

  it('a broadcast REQUEST with ciaddr (REBINDING) extends the lease; the ACK goes to ciaddr', async () => {
    const c = await CraftedClient.start(ctx.lab.direct[1]!, { address: '198.51.100.61' });
    crafted.push(c);
    const { client, ip } = await bound(c);
    const ack = await c.exchange(rebindRequest(client, ip));
    expect(typeOf(ack!.message!)).toBe(MessageType.ACK);
    expect(ack!.message!.yiaddr).toBe(ip);
    expect(ack!.message!.ciaddr).toBe(ip);
    if (SERVER_KIND === 'daemon') await ctx.server.waitForEvt('lease.renewed', (l) => l['ip'] === ip && l['request'] === 'rebind', 3_000);
  });

  it('REBINDING with an address of another network is NAKed', async () => {
    const c = crafted[0]!;
    const nak = await c.exchange(rebindRequest({ mac: c.c.mac }, '203.0.113.150'));
    expect(typeOf(nak!.message!)).toBe(MessageType.NAK);
  });

  it('REBINDING from a client the server has no record of gets no answer (not authoritative)', async () => {
    const c = await CraftedClient.start(ctx.lab.direct[2]!, { address: '198.51.100.172' });
    crafted.push(c);
    expect(await c.exchange(rebindRequest({ mac: c.c.mac }, '198.51.100.172'), { waitMs: 1_500 })).toBeUndefined();
  });

  it('REBINDING through dhcrelay: the relayed request is rebinding, and the ACK comes back through the relay', async () => {
    const c = await CraftedClient.start(ctx.lab.relayed[0]!, { address: '203.0.113.60' });
    crafted.push(c);
    const { client, ip } = await bound(c, RELAY_GIADDR);
    const ack = await c.exchange(rebindRequest(client, ip), { waitMs: 5_000 });
    expect(typeOf(ack!.message!)).toBe(MessageType.ACK);
    expect(ack!.message!.giaddr).toBe(RELAY_GIADDR);
    if (SERVER_KIND === 'daemon') await ctx.server.waitForEvt('lease.renewed', (l) => l['ip'] === ip && l['request'] === 'rebind', 3_000);
  });
});
