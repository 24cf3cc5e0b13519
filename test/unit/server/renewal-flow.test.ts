// The renewal flow and REQUEST classification (RFC 2131 §4.3.2, the owner's renewal diagram): which state a
// REQUEST is in, rebinding through a relay and on the wrong network, silence for unknown rebinding clients unless
// authoritative, release after the grace period, INIT-REBOOT for another client's address.
import { afterEach, describe, expect, it } from 'vitest';
import { getOption } from '../../../src/codec/index.js';
import { BROADCAST_FLAG, MessageType, type DhcpRequest } from '../../../src/codec/types.js';
import type { Inbound } from '../../../src/net/types.js';
import { requestKind } from '../../../src/server/handlers/request.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { clientMessage } from '../../helpers/test-client.js';
import { bindClient, LAB_CONFIG, replyType, SERVER_ID, startTestServer, type TestServer } from '../../helpers/test-server.js';

const RELAY = '203.0.113.1';
const nakText = (m: { options: { code: number; data: Buffer }[] }) => getOption(m as never, 56)?.toString();

describe('requestKind (RFC 2131 §4.3.2, table 4)', () => {
  const inbound = (broadcast?: boolean): Inbound => ({ data: Buffer.alloc(0), from: { address: '0.0.0.0', port: 68 }, receivedAt: 0, ...(broadcast === undefined ? {} : { broadcast }) });
  const req = (spec: Parameters<typeof clientMessage>[2], giaddr?: string) =>
    ({ ...clientMessage({ mac: '02:00:5e:10:00:40', ...(giaddr ? { giaddr } : {}) }, MessageType.REQUEST, spec), type: MessageType.REQUEST }) as DhcpRequest;

  it.each([
    ['server id + requested address', req({ serverId: SERVER_ID, requested: '198.51.100.100' }), inbound(true), 'select'],
    ['server id, ciaddr 0, no requested address', req({ serverId: SERVER_ID }), inbound(true), 'select'],
    ['requested address, ciaddr 0', req({ requested: '198.51.100.100' }), inbound(true), 'reboot'],
    ['ciaddr, unicast', req({ ciaddr: '198.51.100.100' }), inbound(false), 'renew'],
    ['ciaddr, transport cannot tell', req({ ciaddr: '198.51.100.100' }), inbound(), 'renew'],
    ['ciaddr, broadcast', req({ ciaddr: '198.51.100.100' }), inbound(true), 'rebind'],
    ['ciaddr, relayed (relays forward only broadcasts)', req({ ciaddr: '203.0.113.100' }, RELAY), inbound(false), 'rebind'],
    ['ciaddr + server id, no requested address (non-conforming renewal)', req({ ciaddr: '198.51.100.100', serverId: SERVER_ID }), inbound(false), 'renew'],
    ['nothing to go by', req({}), inbound(true), undefined],
  ])('%s → %s', (_, request, from, kind) => {
    expect(requestKind(request, from)).toBe(kind);
  });
});

describe('renewal flow', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('a relayed REQUEST with ciaddr is REBINDING: ACK back to the relay, lease extended', async () => {
    server = await startTestServer(await openMemoryStore());
    const { client, ip } = await bindClient(server, { mac: '02:00:5e:10:00:41', giaddr: RELAY });
    server.clock.advance(400_000); // past T1 of the 600 s relayed subnet
    const ack = await server.exchange(clientMessage(client, MessageType.REQUEST, { ciaddr: ip }));
    expect(replyType(ack!.message)).toBe(MessageType.ACK);
    expect(ack!.out.to).toEqual({ address: RELAY, port: 67 });
    expect(server.app.lease(ip)!.state).toBe('bound');
  });

  it('REBINDING with an address of another network: NAK wrong-network', async () => {
    server = await startTestServer(await openMemoryStore());
    await bindClient(server, { mac: '02:00:5e:10:00:42' });
    const reply = await server.exchange(clientMessage({ mac: '02:00:5e:10:00:42' }, MessageType.REQUEST, { ciaddr: '203.0.113.150', flags: BROADCAST_FLAG }), { broadcast: true });
    expect(replyType(reply!.message)).toBe(MessageType.NAK);
    expect(nakText(reply!.message)).toBe('wrong-network');
  });

  it('REBINDING from a client with no record: silent, NAKed when authoritative; RENEWING without a lease: NAK', async () => {
    server = await startTestServer(await openMemoryStore());
    const stranger = { mac: '02:00:5e:10:00:43' };
    const rebind = () => clientMessage(stranger, MessageType.REQUEST, { ciaddr: '198.51.100.105' });
    expect(await server.exchange(rebind(), { broadcast: true, waitMs: 250 })).toBeUndefined();
    const renew = await server.exchange(rebind(), { broadcast: false });
    expect(nakText(renew!.message)).toBe('no-lease');
    await server.stop();
    const wire = structuredClone(LAB_CONFIG) as typeof LAB_CONFIG & { subnets: { authoritative?: boolean }[] };
    wire.subnets[0]!.authoritative = true;
    server = await startTestServer(await openMemoryStore(), wire);
    const nak = await server.exchange(rebind(), { broadcast: true });
    expect(replyType(nak!.message)).toBe(MessageType.NAK);
  });

  it('REBINDING for an address held by another client: NAK, even when not authoritative', async () => {
    server = await startTestServer(await openMemoryStore());
    const { ip } = await bindClient(server, { mac: '02:00:5e:10:00:44' });
    const reply = await server.exchange(clientMessage({ mac: '02:00:5e:10:00:45' }, MessageType.REQUEST, { ciaddr: ip }), { broadcast: true });
    expect(nakText(reply!.message)).toBe('no-lease');
    expect(server.app.lease(ip)!.state).toBe('bound');
  });

  it('past the grace period (its timer not run yet) the lease is released and stored, then NAKed', async () => {
    const first = await startTestServer(await openMemoryStore());
    const { client, ip } = await bindClient(first, { mac: '02:00:5e:10:00:46' });
    const record = first.app.lease(ip)!;
    await first.stop();
    // As the expiry schedule could leave it between slices: expired, grace over, no timer left to move it. Stored
    // so, the daemon starts with it.
    const now = first.clock.now();
    const store = await openMemoryStore();
    await store.write([{ kind: 'put', record: { ...record, state: 'expired', timers: [], context: { ...record.context, expiresAt: now - 2, graceUntil: now - 1 } } }]);
    server = await startTestServer(store, LAB_CONFIG, first.clock);
    const nak = await server.exchange(clientMessage(client, MessageType.REQUEST, { ciaddr: ip }), { broadcast: false });
    expect(nakText(nak!.message)).toBe('expired');
    expect(server.app.lease(ip)!.state).toBe('released');
    expect((await store.get(ip))?.state).toBe('released');
    // The address is free: lease affinity gives it back on the next DISCOVER.
    const again = await server.exchange(clientMessage(client, MessageType.DISCOVER));
    expect(again!.message.yiaddr).toBe(ip);
  });

  it('a renewal naming another server is not ours (silence); naming us it is ACKed', async () => {
    server = await startTestServer(await openMemoryStore());
    const { client, ip } = await bindClient(server, { mac: '02:00:5e:10:00:47' });
    const other = clientMessage(client, MessageType.REQUEST, { ciaddr: ip, serverId: '198.51.100.2' });
    expect(await server.exchange(other, { broadcast: false, waitMs: 250 })).toBeUndefined();
    const ours = await server.exchange(clientMessage(client, MessageType.REQUEST, { ciaddr: ip, serverId: SERVER_ID }), { broadcast: false });
    expect(replyType(ours!.message)).toBe(MessageType.ACK);
  });
});

describe('INIT-REBOOT records', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('no record of the client: silent even for an address another client holds (RFC 2131 §4.3.2 MUST)', async () => {
    server = await startTestServer(await openMemoryStore());
    const a = { mac: '02:00:5e:10:00:48' };
    const offer = await server.exchange(clientMessage(a, MessageType.DISCOVER));
    await server.exchange(clientMessage(a, MessageType.REQUEST, { requested: offer!.message.yiaddr, serverId: SERVER_ID }));
    const stranger = clientMessage({ mac: '02:00:5e:10:00:49' }, MessageType.REQUEST, { requested: offer!.message.yiaddr });
    expect(await server.exchange(stranger, { waitMs: 250 })).toBeUndefined();
  });

  it('a known client asking for another client\'s address: NAK not-your-lease; for its released one: NAK expired', async () => {
    server = await startTestServer(await openMemoryStore());
    const a = { mac: '02:00:5e:10:00:4a' };
    const b = { mac: '02:00:5e:10:00:4b' };
    const lease = async (c: { mac: string }) => {
      const offer = await server!.exchange(clientMessage(c, MessageType.DISCOVER));
      await server!.exchange(clientMessage(c, MessageType.REQUEST, { requested: offer!.message.yiaddr, serverId: SERVER_ID }));
      return offer!.message.yiaddr;
    };
    const ipA = await lease(a);
    const ipB = await lease(b);
    const theft = await server.exchange(clientMessage(a, MessageType.REQUEST, { requested: ipB }));
    expect(nakText(theft!.message)).toBe('not-your-lease');
    await server.exchange(clientMessage(a, MessageType.RELEASE, { ciaddr: ipA, serverId: SERVER_ID }), { waitMs: 50 });
    const stale = await server.exchange(clientMessage(a, MessageType.REQUEST, { requested: ipA }));
    expect(nakText(stale!.message)).toBe('expired');
  });
});
