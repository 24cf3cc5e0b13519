// A send path returning ENOBUFS: the reply is retried with backoff and delivered; past the policy it is given up,
// logged and counted, and the daemon keeps serving.
import { describe, expect, it } from 'vitest';
import { MessageType } from '../../../src/codec/types.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { clientMessage } from '../../helpers/test-client.js';
import { LAB_CONFIG, replyType } from '../../helpers/test-server.js';
import { FlakyLink } from '../../helpers/faults.js';
import { startTestDaemon } from '../../helpers/test-daemon.js';

describe('send retry', () => {
  it('retries a reply that hits ENOBUFS and delivers it', async () => {
    const link = new FlakyLink(2);
    const server = startTestDaemon({ captureLogs: true, store: await openMemoryStore(), link });
    await server.app.ready;
    const offer = await server.exchange(clientMessage({ mac: '02:00:5e:10:00:61' }, MessageType.DISCOVER), { stepMs: 5 });
    expect(offer && replyType(offer.message)).toBe(MessageType.OFFER);
    expect(link.attempts).toBe(3);
    const counters = server.app.statistics().counters;
    expect(counters.events!['send.retry']).toBe(2);
    expect(counters.sent!['OFFER']).toBe(1);
    // Aggregated: the first retry is logged at once, the second counted into the interval's line; no stack.
    const retries = () => server.logs.filter((l) => l.evt === 'send.retry');
    expect(retries()).toMatchObject([{ reason: 'ENOBUFS', count: 1, err: { code: 'DHCPD_ERR_NET_SEND', errno: 'ENOBUFS' } }]);
    server.clock.advance(10_000);
    expect(retries()).toMatchObject([{ count: 1 }, { count: 1 }]);
    await server.app.stop();
  });

  it('gives up after the configured attempts, counts it, and serves the next client', async () => {
    const link = new FlakyLink(3, 'EAGAIN');
    const wire = { ...LAB_CONFIG, supervision: { sendRetry: { attempts: 3, backoff: { initialMs: 1, maxMs: 4, jitter: 0 } } } };
    const server = startTestDaemon({ captureLogs: true, store: await openMemoryStore(), link, wire });
    await server.app.ready;
    const lost = await server.exchange(clientMessage({ mac: '02:00:5e:10:00:62' }, MessageType.DISCOVER), { stepMs: 1, waitMs: 100 });
    expect(lost).toBeUndefined();
    expect(link.attempts).toBe(3);
    const counters = server.app.statistics().counters;
    expect(counters.events).toMatchObject({ 'send.retry': 2, 'send.failed': 1 });
    expect(counters.errors!['network']).toBe(1);
    expect(server.evts()).toContain('send.failed');
    const next = await server.exchange(clientMessage({ mac: '02:00:5e:10:00:63' }, MessageType.DISCOVER), { stepMs: 1 });
    expect(next && replyType(next.message)).toBe(MessageType.OFFER);
    expect(server.app.health().status).toBe('ok');
    await server.app.stop();
  });

  it.each(['ENETUNREACH', 'EHOSTUNREACH', 'EACCES', 'EINVAL'])('does not retry %s: counted as NET_UNREACHABLE, logged aggregated', async (errno) => {
    const link = new FlakyLink(20, errno);
    const server = startTestDaemon({ captureLogs: true, store: await openMemoryStore(), link });
    await server.app.ready;
    for (let i = 0; i < 5; i++) {
      expect(await server.exchange(clientMessage({ mac: `02:00:5e:10:00:7${i}` }, MessageType.DISCOVER), { stepMs: 5, waitMs: 50 })).toBeUndefined();
    }
    expect(link.attempts).toBe(5);
    const counters = server.app.statistics().counters;
    expect(counters.errors!['network']).toBe(5);
    expect(counters.events).toMatchObject({ 'send.failed': 5 });
    expect(counters.events!['send.retry']).toBeUndefined();
    server.clock.advance(10_000); // the interval ends: its line carries the rest of the count
    const failed = server.logs.filter((l) => l.evt === 'send.failed');
    expect(failed[0]).toMatchObject({ reason: errno, count: 1, err: { code: 'DHCPD_ERR_NET_UNREACHABLE', errno } });
    expect(failed.length).toBeLessThanOrEqual(2); // one line per interval, with the count
    expect(failed.reduce((n, l) => n + (l['count'] as number), 0)).toBe(5);
    expect(JSON.stringify(failed)).not.toContain('    at '); // no stack
    await server.app.stop();
  });
});
