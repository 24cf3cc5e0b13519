// RFC 2131 §4.3.2: SELECTING, INIT-REBOOT, RENEWING, REBINDING — ACK, NAK or silence, as the RFC says.
import { afterEach, describe, expect, it } from 'vitest';
import { getIpOption, getOption } from '../../../src/codec/index.js';
import { BROADCAST_FLAG, MessageType } from '../../../src/codec/types.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { clientMessage } from '../../helpers/test-client.js';
import { bindClient, LAB_CONFIG, replyType, SERVER_ID, startTestServer, type TestServer } from '../../helpers/test-server.js';


describe('REQUEST states', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('SELECTING another server: no reply, and our held offer is withdrawn', async () => {
    server = await startTestServer(await openMemoryStore());
    const client = { mac: '02:00:5e:10:00:21' };
    const offer = await server.exchange(clientMessage(client, MessageType.DISCOVER));
    const ip = offer!.message.yiaddr;
    const reply = await server.exchange(clientMessage(client, MessageType.REQUEST, { requested: ip, serverId: '198.51.100.2' }));
    expect(reply).toBeUndefined();
    expect(server.app.isTaken(ip)).toBe(false);
  });

  it('SELECTING an address no longer held: NAK broadcast, no lease options, server id present', async () => {
    server = await startTestServer(await openMemoryStore());
    const client = { mac: '02:00:5e:10:00:22' };
    const nak = await server.exchange(clientMessage(client, MessageType.REQUEST, { requested: '198.51.100.105', serverId: SERVER_ID }));
    expect(replyType(nak!.message)).toBe(MessageType.NAK);
    expect(nak!.message.yiaddr).toBe('0.0.0.0');
    expect(getOption(nak!.message, 51)).toBeUndefined();
    expect(getIpOption(nak!.message, 54)).toBe(SERVER_ID);
    expect(nak!.out.to.address).toBe('255.255.255.255');
  });

  it('INIT-REBOOT: ACK for its own lease, NAK for a wrong network, silence for an unknown client', async () => {
    server = await startTestServer(await openMemoryStore());
    const { client, ip } = await bindClient(server, { mac: '02:00:5e:10:00:23' });
    const ack = await server.exchange(clientMessage(client, MessageType.REQUEST, { requested: ip }));
    expect(replyType(ack!.message)).toBe(MessageType.ACK);
    const wrong = await server.exchange(clientMessage(client, MessageType.REQUEST, { requested: '203.0.113.150' }));
    expect(replyType(wrong!.message)).toBe(MessageType.NAK);
    const stranger = await server.exchange(clientMessage({ mac: '02:00:5e:10:00:99' }, MessageType.REQUEST, { requested: '198.51.100.107' }));
    expect(stranger).toBeUndefined();
  });

  it('INIT-REBOOT from an unknown client is NAKed when the subnet is authoritative', async () => {
    const wire = structuredClone(LAB_CONFIG) as typeof LAB_CONFIG & { subnets: { authoritative?: boolean }[] };
    wire.subnets[0]!.authoritative = true;
    server = await startTestServer(await openMemoryStore(), wire);
    const nak = await server.exchange(clientMessage({ mac: '02:00:5e:10:00:98' }, MessageType.REQUEST, { requested: '198.51.100.107' }));
    expect(replyType(nak!.message)).toBe(MessageType.NAK);
  });

  it('RENEWING: ACK unicast to ciaddr with fresh times; NAK for an address that is not the client\'s', async () => {
    server = await startTestServer(await openMemoryStore());
    const { client, ip } = await bindClient(server, { mac: '02:00:5e:10:00:24' });
    const before = server.app.lease(ip)!.context.expiresAt;
    server.clock.advance(1_900_000); // past T1
    expect(server.app.lease(ip)!.state).toBe('renewing');
    const ack = await server.exchange(clientMessage(client, MessageType.REQUEST, { ciaddr: ip }), { broadcast: false });
    expect(replyType(ack!.message)).toBe(MessageType.ACK);
    expect(ack!.out.to).toEqual({ address: ip, port: 68 });
    expect(server.app.lease(ip)!.context.expiresAt).toBeGreaterThan(before);
    expect(server.app.lease(ip)!.state).toBe('bound');
    const other = await server.exchange(clientMessage({ mac: '02:00:5e:10:00:25' }, MessageType.REQUEST, { ciaddr: ip }), { broadcast: false });
    expect(replyType(other!.message)).toBe(MessageType.NAK);
  });

  it('REBINDING after expiry: extended within the grace period, NAK after it', async () => {
    server = await startTestServer(await openMemoryStore());
    const a = await bindClient(server, { mac: '02:00:5e:10:00:26' });
    const b = await bindClient(server, { mac: '02:00:5e:10:00:27' });
    server.clock.advance(3_600_000 + 1_000); // expired, inside the 300 s grace
    expect(server.app.lease(a.ip)!.state).toBe('expired');
    const ack = await server.exchange(clientMessage(a.client, MessageType.REQUEST, { ciaddr: a.ip, flags: BROADCAST_FLAG }));
    expect(replyType(ack!.message)).toBe(MessageType.ACK);
    server.clock.advance(300_000);
    expect(server.app.lease(b.ip)!.state).toBe('reclaimed');
    const nak = await server.exchange(clientMessage(b.client, MessageType.REQUEST, { ciaddr: b.ip, flags: BROADCAST_FLAG }));
    expect(replyType(nak!.message)).toBe(MessageType.NAK);
  });

  it('a NAK through a relay goes to giaddr with the broadcast bit set', async () => {
    server = await startTestServer(await openMemoryStore());
    const client = { mac: '02:00:5e:10:00:28', giaddr: '203.0.113.1' };
    const nak = await server.exchange(clientMessage(client, MessageType.REQUEST, { requested: '203.0.113.150', serverId: SERVER_ID }));
    expect(replyType(nak!.message)).toBe(MessageType.NAK);
    expect(nak!.out.to).toEqual({ address: '203.0.113.1', port: 67 });
    expect(nak!.message.flags & BROADCAST_FLAG).toBe(BROADCAST_FLAG);
  });
});
