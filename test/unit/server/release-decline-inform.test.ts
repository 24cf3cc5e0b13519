// RELEASE, DECLINE (RFC 2131 §4.3.3-4) and INFORM (§4.3.5), and the messages that must get no answer.
import { afterEach, describe, expect, it } from 'vitest';
import { encode, getOption, getU32Option } from '../../../src/codec/index.js';
import { BOOTREPLY, MessageType } from '../../../src/codec/types.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { clientMessage } from '../../helpers/test-client.js';
import { bindClient, replyType, SERVER_ID, startTestServer, type TestServer } from '../../helpers/test-server.js';


describe('RELEASE, DECLINE, INFORM', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('RELEASE frees the lease only when client and server id match', async () => {
    server = await startTestServer(await openMemoryStore());
    const { client, ip } = await bindClient(server, { mac: '02:00:5e:10:00:31' });
    await server.exchange(clientMessage({ mac: '02:00:5e:10:00:32' }, MessageType.RELEASE, { ciaddr: ip, serverId: SERVER_ID }), { waitMs: 50 });
    await server.exchange(clientMessage(client, MessageType.RELEASE, { ciaddr: ip, serverId: '198.51.100.2' }), { waitMs: 50 });
    expect(server.app.lease(ip)!.state).toBe('bound');
    const reply = await server.exchange(clientMessage(client, MessageType.RELEASE, { ciaddr: ip, serverId: SERVER_ID }), { waitMs: 50 });
    expect(reply).toBeUndefined();
    expect(server.app.lease(ip)!.state).toBe('released');
    // Lease affinity: the client gets its previous address back.
    const again = await server.exchange(clientMessage(client, MessageType.DISCOVER));
    expect(again!.message.yiaddr).toBe(ip);
  });

  it('DECLINE holds the address back for its probation, from everyone', async () => {
    server = await startTestServer(await openMemoryStore());
    const { client, ip } = await bindClient(server, { mac: '02:00:5e:10:00:33' });
    await server.exchange(clientMessage(client, MessageType.DECLINE, { requested: ip, serverId: SERVER_ID }), { waitMs: 50 });
    expect(server.app.lease(ip)!.state).toBe('declined');
    const retry = await server.exchange(clientMessage(client, MessageType.DISCOVER));
    expect(retry!.message.yiaddr).not.toBe(ip);
    server.clock.advance(3_600_000);
    expect(server.app.lease(ip)!.state).toBe('reclaimed');
  });

  it('a client that declines too often is ignored for the probation window', async () => {
    server = await startTestServer(await openMemoryStore());
    const client = { mac: '02:00:5e:10:00:34' };
    for (let i = 0; i < 3; i++) {
      const offer = await server.exchange(clientMessage(client, MessageType.DISCOVER));
      const ip = offer!.message.yiaddr;
      await server.exchange(clientMessage(client, MessageType.REQUEST, { requested: ip, serverId: SERVER_ID }));
      await server.exchange(clientMessage(client, MessageType.DECLINE, { requested: ip, serverId: SERVER_ID }), { waitMs: 50 });
    }
    expect(await server.exchange(clientMessage(client, MessageType.DISCOVER))).toBeUndefined();
  });

  it('INFORM gets an ACK with options only: no lease time, yiaddr 0, sent to ciaddr', async () => {
    server = await startTestServer(await openMemoryStore());
    const ack = await server.exchange(clientMessage({ mac: '02:00:5e:10:00:35' }, MessageType.INFORM, { ciaddr: '198.51.100.50' }), { broadcast: false });
    expect(replyType(ack!.message)).toBe(MessageType.ACK);
    expect(ack!.message.yiaddr).toBe('0.0.0.0');
    expect(getU32Option(ack!.message, 51)).toBeUndefined();
    expect(getOption(ack!.message, 6)).toBeDefined();
    expect(ack!.out.to).toEqual({ address: '198.51.100.50', port: 68 });
  });

  it('never answers a BOOTREPLY, an hlen over 16 or a missing message type', async () => {
    server = await startTestServer(await openMemoryStore());
    const client = { mac: '02:00:5e:10:00:36' };
    const bootreply = { ...clientMessage(client, MessageType.DISCOVER), op: BOOTREPLY };
    const badHlen = { ...clientMessage(client, MessageType.DISCOVER), hlen: 17 };
    const noType = { ...clientMessage(client, MessageType.DISCOVER), options: [] };
    for (const m of [bootreply, badHlen, noType]) {
      expect(await server.exchange(m, { waitMs: 50 })).toBeUndefined();
    }
    const truncated = encode(clientMessage(client, MessageType.DISCOVER)).subarray(0, 200);
    server.link.inbound$.next({ data: truncated, from: { address: '0.0.0.0', port: 68 }, receivedAt: 0 });
    expect(server.link.sent).toHaveLength(0);
    expect(server.app.statistics().counters['drops']?.['DHCPD_ERR_CODEC_TRUNCATED']).toBe(1);
    // …and keeps serving.
    const offer = await server.exchange(clientMessage(client, MessageType.DISCOVER));
    expect(replyType(offer!.message)).toBe(MessageType.OFFER);
  });

  it('fits replies within option 57 = 576 with many options requested', async () => {
    const wire = structuredClone((await import('../../helpers/test-server.js')).LAB_CONFIG) as Record<string, unknown> & { subnets: Record<string, unknown>[] };
    wire.subnets[0]!.options = {
      'domain-search': Array.from({ length: 12 }, (_, i) => `zone${i}.a-rather-long-domain-name.lab.example`),
      'ntp-servers': Array.from({ length: 20 }, (_, i) => `198.51.100.${i + 20}`),
      'tftp-server-name': 'tftp.a-rather-long-domain-name.lab.example',
      'boot-file-name': 'pxelinux.0',
    };
    server = await startTestServer(await openMemoryStore(), wire);
    const offer = await server.exchange(
      clientMessage({ mac: '02:00:5e:10:00:37' }, MessageType.DISCOVER, { maxSize: 576, prl: [1, 3, 6, 15, 119, 42, 66, 67] }),
    );
    expect(offer!.out.data.length).toBeLessThanOrEqual(576 - 28);
    expect(replyType(offer!.message)).toBe(MessageType.OFFER);
    expect(getOption(offer!.message, 1)).toBeDefined();
  });
});
