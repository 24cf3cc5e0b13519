// A send path returning ENOBUFS: the reply is retried with backoff and delivered; past the policy it is given up,
// logged and counted, and the daemon keeps serving.
import { describe, expect, it } from 'vitest';
import { MessageType } from '../../../src/codec/types.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { clientMessage } from '../../helpers/test-client.js';
import { LAB_CONFIG } from '../../helpers/test-server.js';
import { FlakyLink, startFaultServer, typeOf } from './helpers.js';

describe('send retry', () => {
  it('retries a reply that hits ENOBUFS and delivers it', async () => {
    const link = new FlakyLink(2);
    const server = startFaultServer({ store: await openMemoryStore(), link });
    await server.app.ready;
    const offer = await server.exchange(clientMessage({ mac: '02:00:5e:10:00:61' }, MessageType.DISCOVER), { stepMs: 5 });
    expect(offer && typeOf(offer.message)).toBe(MessageType.OFFER);
    expect(link.attempts).toBe(3);
    const counters = server.app.statistics().counters;
    expect(counters.events!['send.retry']).toBe(2);
    expect(counters.sent!['OFFER']).toBe(1);
    const retries = server.logs.filter((l) => l.evt === 'send.retry');
    expect(retries.map((l) => (l['err'] as { code: string }).code)).toEqual(['DHCPD_ERR_NET_SEND', 'DHCPD_ERR_NET_SEND']);
    await server.app.stop();
  });

  it('gives up after the configured attempts, counts it, and serves the next client', async () => {
    const link = new FlakyLink(3, 'ENETUNREACH');
    const wire = { ...LAB_CONFIG, supervision: { sendRetry: { attempts: 3, backoff: { initialMs: 1, maxMs: 4, jitter: 0 } } } };
    const server = startFaultServer({ store: await openMemoryStore(), link, wire });
    await server.app.ready;
    const lost = await server.exchange(clientMessage({ mac: '02:00:5e:10:00:62' }, MessageType.DISCOVER), { stepMs: 1, waitMs: 100 });
    expect(lost).toBeUndefined();
    expect(link.attempts).toBe(3);
    const counters = server.app.statistics().counters;
    expect(counters.events).toMatchObject({ 'send.retry': 2, 'send.failed': 1 });
    expect(counters.errors!['network']).toBe(1);
    expect(server.evts()).toContain('send.failed');
    const next = await server.exchange(clientMessage({ mac: '02:00:5e:10:00:63' }, MessageType.DISCOVER), { stepMs: 1 });
    expect(next && typeOf(next.message)).toBe(MessageType.OFFER);
    expect(server.app.health().status).toBe('ok');
    await server.app.stop();
  });

  it('does not retry an error that is not transient', async () => {
    const link = new FlakyLink(1, 'EINVAL');
    const server = startFaultServer({ store: await openMemoryStore(), link });
    await server.app.ready;
    expect(await server.exchange(clientMessage({ mac: '02:00:5e:10:00:64' }, MessageType.DISCOVER), { stepMs: 5, waitMs: 100 })).toBeUndefined();
    expect(link.attempts).toBe(1);
    expect(server.app.statistics().counters.errors!['unknown']).toBe(1);
    await server.app.stop();
  });
});
