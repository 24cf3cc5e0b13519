// Relayed DORA (RFC 2131 §4.1, giaddr): clients behind ISC dhcrelay get addresses from the relay's subnet.
import { afterAll, describe, expect, it } from 'vitest';
import { getOption } from '../../src/codec/index.js';
import { BROADCAST_FLAG, MessageType } from '../../src/codec/types.js';
import { clientMessage } from '../helpers/test-client.js';
import { DhclientSession, udhcpc, type LeaseResult } from './harness/clients.js';
import { CraftedClient, typeOf } from './harness/crafted.js';
import { DIRECT_POOL } from './harness/daemon.js';
import { SERVER_ADDRESS } from './harness/netns.js';
import { RELAY_POOL } from './harness/daemon.js';
import { RELAY_GIADDR } from './harness/netns.js';
import { SERVER_KIND, inRange, integrationSkip, useLab } from './harness/suite.js';

const skip = integrationSkip('relay');

describe.skipIf(skip !== undefined)(`DORA through dhcrelay (${SERVER_KIND})`, () => {
  const ctx = useLab({ direct: [{}], relayed: [{}, {}] });
  let agent: CraftedClient | undefined;
  afterAll(async () => {
    await agent?.stop();
  });
  const got: LeaseResult[] = [];

  const expectRelayedLease = (lease: LeaseResult): void => {
    expect(inRange(lease.ip, RELAY_POOL), `${lease.client} got ${lease.ip}`).toBe(true);
    expect(lease.mask).toBe('255.255.255.0');
    expect(lease.router).toBe(RELAY_GIADDR);
  };

  it('busybox udhcpc behind the relay gets an address from 203.0.113.0/24', async () => {
    const lease = await udhcpc(ctx.lab.relayed[0]!);
    expectRelayedLease(lease);
    got.push(lease);
    if (SERVER_KIND === 'daemon') await ctx.server.waitForEvt('lease.bound', (l) => l['ip'] === lease.ip, 5_000);
  });

  it('ISC dhclient behind the relay gets a different address from 203.0.113.0/24', async () => {
    const session = await DhclientSession.start(ctx.lab.relayed[1]!);
    const lease = session.lease!;
    expectRelayedLease(lease);
    got.push(lease);
    expect(new Set(got.map((l) => l.ip)).size).toBe(2);
  });

  it('a relay agent\'s option 82 is echoed verbatim and last; the reply goes to giaddr:67 with flags and giaddr kept', async () => {
    // A crafted relay agent on the direct segment: giaddr is its own address, it listens on 67 like a relay.
    agent = await CraftedClient.start(ctx.lab.direct[0]!, { address: '198.51.100.66', ports: [67] });
    const agentInfo = Buffer.from([1, 6, 0x65, 0x74, 0x68, 0x30, 0x2f, 0x37, 2, 4, 0xde, 0xad, 0xbe, 0xef]);
    const discover = clientMessage({ mac: '02:00:5e:10:02:01', giaddr: agent.address }, MessageType.DISCOVER, {
      flags: BROADCAST_FLAG, extra: [{ code: 82, data: agentInfo }],
    });
    const got = await agent.exchange(discover, { to: SERVER_ADDRESS, port: 67 });
    expect(got!.localPort).toBe(67);
    const offer = got!.message!;
    expect(typeOf(offer)).toBe(MessageType.OFFER);
    expect(inRange(offer.yiaddr, DIRECT_POOL)).toBe(true);
    expect(offer.giaddr).toBe(agent.address);
    expect(offer.flags).toBe(BROADCAST_FLAG);
    expect(getOption(offer, 82)).toEqual(agentInfo);
    if (SERVER_KIND === 'daemon') expect(offer.options.at(-1)?.code).toBe(82);
    // Verbatim on the wire too: the option's bytes appear unchanged in the datagram.
    expect(got!.data.includes(Buffer.concat([Buffer.from([82, agentInfo.length]), agentInfo]))).toBe(true);
  });
});
