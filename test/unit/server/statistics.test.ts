// Statistics (issue 3): counters per message type received and sent (by name), per NAK and drop reason, and
// per-pool utilization (total, bound, offered, declined, free), read from app.statistics().
import { afterEach, describe, expect, it } from 'vitest';
import { encode } from '../../../src/codec/index.js';
import { BOOTREPLY, MessageType } from '../../../src/codec/types.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { clientMessage } from '../../helpers/test-client.js';
import { startTestServer, type TestServer } from '../../helpers/test-server.js';

const SERVER = '198.51.100.1';

describe('app.statistics()', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('counts messages by type name, NAKs and drops by reason, and pool utilization', async () => {
    server = await startTestServer(await openMemoryStore());
    const s = server;
    const a = { mac: '02:00:5e:10:00:61' };
    const b = { mac: '02:00:5e:10:00:62' };
    const c = { mac: '02:00:5e:10:00:63' };
    const ipA = (await s.exchange(clientMessage(a, MessageType.DISCOVER)))!.message.yiaddr;
    await s.exchange(clientMessage(a, MessageType.REQUEST, { requested: ipA, serverId: SERVER }));
    const ipB = (await s.exchange(clientMessage(b, MessageType.DISCOVER)))!.message.yiaddr;
    await s.exchange(clientMessage(b, MessageType.REQUEST, { requested: ipB, serverId: SERVER }));
    await s.exchange(clientMessage(b, MessageType.DECLINE, { requested: ipB, serverId: SERVER }), { waitMs: 50 });
    await s.exchange(clientMessage(c, MessageType.DISCOVER)); // held offer
    await s.exchange(clientMessage(c, MessageType.REQUEST, { requested: '198.51.100.109', serverId: SERVER })); // NAK offer-gone
    await s.exchange(clientMessage(c, MessageType.REQUEST, { requested: '203.0.113.150' })); // NAK wrong-network
    await s.exchange(clientMessage({ mac: '02:00:5e:10:00:64' }, MessageType.REQUEST, { requested: '198.51.100.108' }), { waitMs: 50 });
    await s.exchange({ ...clientMessage(c, MessageType.DISCOVER), op: BOOTREPLY }, { waitMs: 50 });
    s.link.inbound$.next({ data: encode({ ...clientMessage(c, MessageType.DISCOVER), options: [] }), from: { address: '0.0.0.0', port: 68 }, receivedAt: 0 });

    const stats = s.app.statistics();
    expect(stats.counters.received).toEqual({ DISCOVER: 3, REQUEST: 5, DECLINE: 1 });
    expect(stats.counters.sent).toEqual({ OFFER: 3, ACK: 2, NAK: 2 });
    expect(stats.counters.naks).toEqual({ 'offer-gone': 1, 'wrong-network': 1 });
    expect(stats.counters.drops).toMatchObject({
      'unknown-client': 1, DHCPD_ERR_CODEC_NOT_REQUEST: 1, DHCPD_ERR_CODEC_NO_MESSAGE_TYPE: 1,
    });
    expect(stats.counters.drops, 'an accepted DECLINE is not a drop').not.toHaveProperty('handled');
    expect(stats.counters.events).toMatchObject({ 'dhcp.accepted': 1 });
    const direct = stats.pools.find((p) => p.subnet === '198.51.100.0/24')!;
    expect(direct).toMatchObject({ total: 10, bound: 1, offered: 1, declined: 1, free: 7 });
    expect(stats.pools.find((p) => p.subnet === '203.0.113.0/24')).toMatchObject({ total: 100, free: 100 });
  });
});
