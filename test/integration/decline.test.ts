// DECLINE (RFC 2131 §4.3.3, §3.1.5): a real dhcpcd finds its offered address answered by ARP and declines it;
// the address goes on probation (offered to no one, its decliner included), and a client that declines too
// often is ignored for the probation window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROADCAST_FLAG, MessageType } from '../../src/codec/types.js';
import { clientMessage } from '../helpers/test-client.js';
import { dhcpcd } from './harness/clients.js';
import { CraftedClient, typeOf } from './harness/crafted.js';
import { DIRECT_POOL } from './harness/daemon.js';
import { SERVER_ADDRESS } from './harness/netns.js';
import { sleep } from './harness/proc.js';
import { SERVER_KIND, inRange, integrationSkip, useLab } from './harness/suite.js';

const skip = integrationSkip('decline');
const B = BROADCAST_FLAG;
const DHCPCD_MAC = '02:00:5e:10:00:d1';
const SQUATTED = '198.51.100.20';

describe.skipIf(skip !== undefined)(`DECLINE (${SERVER_KIND})`, () => {
  const ctx = useLab({ direct: [{ mac: DHCPCD_MAC }, {}, {}, {}] }, {
    configure: (config) => {
      config['maxDeclinesPerClient'] = 2;
      // dhcpcd's reservation points at an address another host already uses: its ARP probe will find it.
      (config.subnets[0]!['reservations'] as unknown[]).push({ hwAddress: DHCPCD_MAC, address: SQUATTED });
    },
  });
  let squatter: CraftedClient;
  let a: CraftedClient;
  let b: CraftedClient;
  beforeAll(async () => {
    [squatter, a, b] = await Promise.all([
      CraftedClient.start(ctx.lab.direct[1]!, { address: SQUATTED }),
      CraftedClient.start(ctx.lab.direct[2]!, { address: '198.51.100.62' }),
      CraftedClient.start(ctx.lab.direct[3]!, { address: '198.51.100.63' }),
    ]);
  }, 20_000);
  afterAll(async () => {
    await Promise.all([squatter?.stop(), a?.stop(), b?.stop()]);
  });

  async function leaseFor(c: CraftedClient): Promise<string> {
    const client = { mac: c.c.mac };
    const offer = await c.exchange(clientMessage(client, MessageType.DISCOVER, { flags: B }));
    const ip = offer!.message!.yiaddr;
    const ack = await c.exchange(clientMessage(client, MessageType.REQUEST, { requested: ip, serverId: SERVER_ADDRESS, flags: B }));
    expect(typeOf(ack!.message!)).toBe(MessageType.ACK);
    return ip;
  }
  const decline = (c: CraftedClient, ip: string) =>
    c.exchange(clientMessage({ mac: c.c.mac }, MessageType.DECLINE, { requested: ip, serverId: SERVER_ADDRESS }), { waitMs: 800 });

  it('dhcpcd declines its reserved address when ARP finds it in use, then gets a pool address', async () => {
    const lease = await dhcpcd(ctx.lab.direct[0]!, { arp: true });
    expect(lease.ip).not.toBe(SQUATTED);
    expect(inRange(lease.ip, DIRECT_POOL)).toBe(true);
    if (SERVER_KIND === 'daemon') await ctx.server.waitForEvt('lease.declined', (l) => l['ip'] === SQUATTED, 2_000);
  }, 60_000);

  it('a declined address is offered to no one: not to its decliner, not to a client asking for it', async () => {
    const ip = await leaseFor(a);
    expect(await decline(a, ip)).toBeUndefined();
    if (SERVER_KIND === 'daemon') await ctx.server.waitForEvt('lease.declined', (l) => l['ip'] === ip, 2_000);
    const again = await a.exchange(clientMessage({ mac: a.c.mac }, MessageType.DISCOVER, { flags: B }));
    expect(again!.message!.yiaddr).not.toBe(ip);
    const asked = await b.exchange(clientMessage({ mac: b.c.mac }, MessageType.DISCOVER, { requested: ip, flags: B }));
    expect(asked!.message!.yiaddr).not.toBe(ip);
  });

  it('past maxDeclinesPerClient (2) a client is ignored; others are still served', async () => {
    await decline(a, await leaseFor(a)); // a's second decline: still believed
    const third = await leaseFor(a);
    await decline(a, third);
    if (SERVER_KIND === 'daemon') await ctx.server.waitForEvt('lease.decline_limit', (l) => l['ip'] === third, 2_000);
    await sleep(200);
    expect(await a.exchange(clientMessage({ mac: a.c.mac }, MessageType.DISCOVER, { flags: B }), { waitMs: 1_500 })).toBeUndefined();
    const other = await b.exchange(clientMessage({ mac: b.c.mac }, MessageType.DISCOVER, { flags: B }));
    expect(typeOf(other!.message!)).toBe(MessageType.OFFER);
  });
});
