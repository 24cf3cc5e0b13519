// RELEASE (RFC 2131 §4.3.4, §4.4.6): real dhclient -r and udhcpc SIGUSR2 free their leases (evt lease.released);
// a crafted RELEASE naming another server or coming from another client frees nothing; lease affinity brings a
// released client its address back.
import { afterAll, describe, expect, it } from 'vitest';
import { BROADCAST_FLAG, MessageType } from '../../src/codec/types.js';
import { clientMessage } from '../helpers/test-client.js';
import { DhclientSession, UdhcpcSession } from './harness/clients.js';
import { CraftedClient, typeOf } from './harness/crafted.js';
import { SERVER_ADDRESS } from './harness/netns.js';
import { sleep } from './harness/proc.js';
import { SERVER_KIND, integrationSkip, useLab } from './harness/suite.js';

const skip = integrationSkip('release');
const B = BROADCAST_FLAG;

describe.skipIf(skip !== undefined)(`RELEASE (${SERVER_KIND})`, () => {
  const ctx = useLab({ direct: [{}, {}, {}, {}] });
  const crafted: CraftedClient[] = [];
  afterAll(async () => {
    await Promise.all(crafted.map((c) => c.stop()));
  });
  const released = (ip: string, timeoutMs = 5_000) =>
    SERVER_KIND === 'daemon' ? ctx.server.waitForEvt('lease.released', (l) => l['ip'] === ip, timeoutMs) : sleep(500);

  it('ISC dhclient -r releases its lease, and gets the same address back afterwards (affinity)', async () => {
    const session = await DhclientSession.start(ctx.lab.direct[0]!);
    const first = session.lease!;
    await session.release();
    const line = await released(first.ip);
    if (line !== undefined) expect(line['reason']).toBe('client-release');
    const again = await session.acquire();
    expect(again.ip).toBe(first.ip);
    await session.stop();
  });

  it('busybox udhcpc releases on SIGUSR2', async () => {
    const session = await UdhcpcSession.start(ctx.lab.direct[1]!);
    try {
      const ip = session.lease!.ip;
      await session.release();
      await released(ip);
    } finally {
      await session.stop();
    }
  });

  it('a RELEASE naming another server, or from another client, frees nothing; the right one does', async () => {
    const [a, b] = await Promise.all([
      CraftedClient.start(ctx.lab.direct[2]!, { address: '198.51.100.62' }),
      CraftedClient.start(ctx.lab.direct[3]!, { address: '198.51.100.63' }),
    ]);
    crafted.push(a, b);
    const client = { mac: a.c.mac };
    const offer = await a.exchange(clientMessage(client, MessageType.DISCOVER, { flags: B }));
    const ip = offer!.message!.yiaddr;
    const ack = await a.exchange(clientMessage(client, MessageType.REQUEST, { requested: ip, serverId: SERVER_ADDRESS, flags: B }));
    expect(typeOf(ack!.message!)).toBe(MessageType.ACK);
    await a.readdress(ip);
    // RFC 2131 §4.4.6: a RELEASE is unicast to the server and gets no reply.
    await a.send(clientMessage(client, MessageType.RELEASE, { ciaddr: ip, serverId: '198.51.100.2' }), SERVER_ADDRESS);
    await b.send(clientMessage({ mac: b.c.mac }, MessageType.RELEASE, { ciaddr: ip, serverId: SERVER_ADDRESS }), SERVER_ADDRESS);
    await sleep(1_000);
    // Still bound to a: another client asking for it gets some other address.
    const probe = await b.exchange(clientMessage({ mac: b.c.mac }, MessageType.DISCOVER, { requested: ip, flags: B }));
    expect(probe!.message!.yiaddr).not.toBe(ip);
    if (SERVER_KIND === 'daemon') expect(ctx.server.logs.some((l) => l.evt === 'lease.released' && l['ip'] === ip)).toBe(false);
    const release = clientMessage(client, MessageType.RELEASE, { ciaddr: ip, serverId: SERVER_ADDRESS });
    expect(await a.exchange(release, { to: SERVER_ADDRESS, waitMs: 1_000 })).toBeUndefined();
    await released(ip);
    // A released client stops using the address (RFC 2131 §4.4.6); one that still answered for it would be a conflict.
    await a.readdress('198.51.100.62');
    // Free again: b (its own offer withdrawn by choosing "another server") asks for it and gets it.
    await b.send(clientMessage({ mac: b.c.mac }, MessageType.REQUEST, { requested: probe!.message!.yiaddr, serverId: '198.51.100.2', flags: B }));
    await sleep(300);
    const taken = await b.exchange(clientMessage({ mac: b.c.mac }, MessageType.DISCOVER, { requested: ip, flags: B }));
    expect(taken!.message!.yiaddr).toBe(ip);
  });
});
