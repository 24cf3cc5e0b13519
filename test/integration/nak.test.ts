// NAK and silence (RFC 2131 §4.3.2, §4.1): crafted requests a real client cannot be made to send — SELECTING
// another server, INIT-REBOOT for a foreign or unknown address, RENEWING what is not the client's, a NAK through
// dhcrelay — and every class of message that must get no answer at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode, getIpOption, getOption } from '../../src/codec/index.js';
import { BOOTREPLY, BROADCAST_FLAG, MessageType, type DhcpMessage } from '../../src/codec/types.js';
import { clientMessage } from '../helpers/test-client.js';
import { CraftedClient, typeOf } from './harness/crafted.js';
import { RELAY_GIADDR, SERVER_ADDRESS } from './harness/netns.js';
import { SERVER_KIND, integrationSkip, useLab } from './harness/suite.js';

const skip = integrationSkip('nak');
const B = BROADCAST_FLAG;

function expectNak(m: DhcpMessage | undefined): DhcpMessage {
  expect(m, 'a NAK').toBeDefined();
  expect(typeOf(m!)).toBe(MessageType.NAK);
  expect(m!.yiaddr).toBe('0.0.0.0');
  expect(m!.ciaddr).toBe('0.0.0.0');
  expect(getIpOption(m!, 54)).toBe(SERVER_ADDRESS);
  for (const code of [51, 58, 59, 1, 3]) expect(getOption(m!, code), `option ${code} in a NAK`).toBeUndefined();
  return m!;
}

describe.skipIf(skip !== undefined)(`NAK and no-reply classes (${SERVER_KIND})`, () => {
  const ctx = useLab({ direct: [{}, {}], relayed: [{}] });
  let a: CraftedClient;
  let b: CraftedClient;
  let behindRelay: CraftedClient;
  beforeAll(async () => {
    a = await CraftedClient.start(ctx.lab.direct[0]!, { address: '198.51.100.60' });
    b = await CraftedClient.start(ctx.lab.direct[1]!, { address: '198.51.100.61' });
    behindRelay = await CraftedClient.start(ctx.lab.relayed[0]!, { address: '203.0.113.60' });
  }, 20_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), behindRelay?.stop()]);
  });
  const as = (c: CraftedClient) => ({ mac: c.c.mac });

  it('SELECTING another server: no reply, and our held offer goes back to the pool', async () => {
    const offer = await a.exchange(clientMessage(as(a), MessageType.DISCOVER, { flags: B }));
    expect(typeOf(offer!.message!)).toBe(MessageType.OFFER);
    const ip = offer!.message!.yiaddr;
    const req = clientMessage(as(a), MessageType.REQUEST, { requested: ip, serverId: '198.51.100.2', flags: B });
    expect(await a.exchange(req, { waitMs: 1_500 })).toBeUndefined();
    // Still held, it would be offered to no one else; withdrawn, another client asking for it gets it.
    const other = await b.exchange(clientMessage(as(b), MessageType.DISCOVER, { requested: ip, flags: B }));
    expect(other!.message!.yiaddr).toBe(ip);
  });

  it('SELECTING us for an address not held for the client: NAK (broadcast, yiaddr 0, no lease options)', async () => {
    const req = clientMessage(as(a), MessageType.REQUEST, { requested: '198.51.100.150', serverId: SERVER_ADDRESS });
    const nak = expectNak((await a.exchange(req))?.message);
    expect(nak.flags).toBe(0);
    expect(nak.giaddr).toBe('0.0.0.0');
  });

  it('INIT-REBOOT for an address on another network: NAK', async () => {
    const req = clientMessage(as(a), MessageType.REQUEST, { requested: '203.0.113.150' });
    const nak = expectNak((await a.exchange(req))?.message);
    if (SERVER_KIND === 'daemon') expect(getOption(nak, 56)?.toString()).toBe('wrong-network');
  });

  it('INIT-REBOOT from a client the server has no record of: silence (not authoritative)', async () => {
    const stranger = { mac: '02:00:5e:10:00:7e' };
    const req = clientMessage(stranger, MessageType.REQUEST, { requested: '198.51.100.170' });
    expect(await a.exchange(req, { waitMs: 1_500 })).toBeUndefined();
  });

  it('RENEWING (unicast) an address that is not the client\'s: NAK, broadcast', async () => {
    const req = clientMessage(as(b), MessageType.REQUEST, { ciaddr: b.address });
    const reply = await b.exchange(req, { to: SERVER_ADDRESS });
    expectNak(reply?.message);
  });

  it('a NAK through dhcrelay goes to giaddr with the broadcast bit set and reaches the client', async () => {
    const req = clientMessage(as(behindRelay), MessageType.REQUEST, { requested: '203.0.113.150', serverId: SERVER_ADDRESS });
    const nak = expectNak((await behindRelay.exchange(req, { waitMs: 5_000 }))?.message);
    expect(nak.flags & BROADCAST_FLAG).toBe(BROADCAST_FLAG);
    expect(nak.giaddr).toBe(RELAY_GIADDR);
  });

  it('answers none of the no-reply classes, and keeps serving', async () => {
    const base = (): DhcpMessage => clientMessage(as(a), MessageType.DISCOVER, { flags: B });
    const patched = (m: DhcpMessage, patch: (bytes: Buffer) => Buffer): [number, Buffer] => [m.xid, patch(encode(m))];
    const withOptions = (options: DhcpMessage['options']): DhcpMessage => ({ ...base(), options });
    const cases: Record<string, [number, Buffer]> = {
      'op BOOTREPLY': patched({ ...base(), op: BOOTREPLY }, (x) => x),
      'hlen 17': patched(base(), (x) => ((x[2] = 17), x)),
      'no option 53 (BOOTP request, cookie present)': patched(withOptions([{ code: 55, data: Buffer.from([1, 3]) }]), (x) => x),
      'BOOTP request without the magic cookie': patched(withOptions([]), (x) => (x.fill(0, 236), x)),
      'unknown option 53 (9)': patched(withOptions([{ code: 53, data: Buffer.from([9]) }]), (x) => x),
      'option 53 of length 2': patched(withOptions([{ code: 53, data: Buffer.from([1, 1]) }]), (x) => x),
      'option overrun after option 53': patched(withOptions([{ code: 53, data: Buffer.from([1]) }]), (x) => {
        // 53 is parsed, then option 12 claims 40 bytes where only 5 remain.
        const cut = Buffer.from(x.subarray(0, 243 + 7));
        cut.set([12, 40, 0x61, 0x62, 0x63], 243);
        return cut;
      }),
      'an OFFER sent by a client': patched(withOptions([{ code: 53, data: Buffer.from([MessageType.OFFER]) }]), (x) => x),
      'an ACK sent by a client': patched(withOptions([{ code: 53, data: Buffer.from([MessageType.ACK]) }]), (x) => x),
      'truncated to 200 bytes': patched(base(), (x) => Buffer.from(x.subarray(0, 200))),
    };
    for (const [, bytes] of Object.values(cases)) await a.sendRaw(bytes);
    await new Promise((r) => setTimeout(r, 2_000));
    for (const [name, [xid]] of Object.entries(cases)) expect(a.repliesTo(xid), name).toEqual([]);
    const offer = await a.exchange(base());
    expect(typeOf(offer!.message!)).toBe(MessageType.OFFER);
  });
});
