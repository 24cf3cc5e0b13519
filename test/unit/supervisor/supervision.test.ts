// The root supervisor: restarts a failing child with backoff, escalates past its restart intensity, and keeps
// a failing client transaction to that client.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { NetError } from '../../../src/errors.js';
import { MessageType } from '../../../src/codec/types.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { clientMessage } from '../../helpers/test-client.js';
import { settle, startTestDaemon } from '../../helpers/test-daemon.js';
import { MemoryLink, startTestServer } from '../../helpers/test-server.js';

describe('root supervisor', () => {
  it('restarts the ingress with backoff after its transport fails, then serves', async () => {
    const clock = new ManualClock();
    const link = new MemoryLink();
    let opens = 0;
    const { app } = startTestDaemon({
      store: await openMemoryStore(), clock,
      openTransport: async () => {
        opens++;
        if (opens <= 2) throw new NetError('DHCPD_ERR_NET_BIND', 'address in use');
        return link;
      },
    });
    await settle();
    expect(app.state()).toBe('recovering');
    clock.advance(150);
    await settle();
    expect(opens).toBe(2);
    clock.advance(400);
    await settle();
    expect(opens).toBe(3);
    await app.ready;
    expect(app.health()).toMatchObject({ serving: true, restarts: { ingress: 2 } });
    expect(await app.stop()).toBe(0);
  });

  it('escalates when the restart intensity is exceeded: done with exit code 1', async () => {
    const clock = new ManualClock();
    const { app } = startTestDaemon({
      store: await openMemoryStore(), clock,
      openTransport: async () => {
        throw new NetError('DHCPD_ERR_NET_BIND', 'address in use');
      },
    });
    for (let i = 0; i < 10; i++) {
      await settle();
      clock.advance(5_000);
    }
    expect(await app.done).toBe(1);
    expect(app.state()).toBe('failed');
    await expect(app.ready).rejects.toBeDefined();
  });

  it('a transaction that throws affects only its client', async () => {
    // A fault in one client's exchange, as a bug in a handler would be: the decision's observer throws for it.
    const server = startTestDaemon({
      store: await openMemoryStore(),
      onDecision: (_decision, packet) => {
        if (packet.inbound.from.address === '0.0.0.66') throw new TypeError('handler bug');
      },
    });
    await server.app.ready;
    const victim = await server.exchange(clientMessage({ mac: '02:00:5e:10:00:41' }, MessageType.DISCOVER), { from: '0.0.0.66' });
    expect(victim).toBeUndefined();
    const other = await server.exchange(clientMessage({ mac: '02:00:5e:10:00:42' }, MessageType.DISCOVER));
    expect(other?.message.yiaddr).toMatch(/^198\.51\.100\./);
    expect(server.app.statistics().counters['drops']?.['transaction-failed']).toBe(1);
    expect(server.app.state()).toBe('serving.running');
    await server.stop();
  });

  it('reports per-pool utilization', async () => {
    const server = await startTestServer(await openMemoryStore());
    const client = { mac: '02:00:5e:10:00:43' };
    const offer = await server.exchange(clientMessage(client, MessageType.DISCOVER));
    await server.exchange(clientMessage({ mac: '02:00:5e:10:00:44' }, MessageType.DISCOVER));
    await server.exchange(clientMessage(client, MessageType.REQUEST, { requested: offer!.message.yiaddr, serverId: '198.51.100.1' }));
    const [lab] = server.app.statistics().pools;
    expect(lab).toEqual({ subnet: '198.51.100.0/24', total: 10, bound: 1, offered: 1, declined: 0, grace: 0, free: 8 });
    expect(server.app.statistics().transport).toEqual({ kind: 'memory', counters: undefined });
    await server.stop();
  });
});
