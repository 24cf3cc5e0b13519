// Monitoring: every error class has a counter from the start and documented log events; a lease-class failure
// (an exhausted pool) is counted under its class; health() shows the supervisor tree.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MessageType } from '../../../src/codec/types.js';
import { ERROR_CODES } from '../../../src/errors.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { clientMessage } from '../../helpers/test-client.js';
import { LAB_CONFIG } from '../../helpers/test-server.js';
import { startTestDaemon } from '../../helpers/test-daemon.js';

const categories = [...new Set(Object.values(ERROR_CODES).map((s) => s.category))];
const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

describe('monitoring', () => {
  it('has a counter for every error class, zero before any error', async () => {
    const server = startTestDaemon({ captureLogs: true, store: await openMemoryStore() });
    await server.app.ready;
    expect(categories).toHaveLength(7);
    expect(server.app.statistics().counters.errors).toEqual(Object.fromEntries(categories.map((c) => [c, 0])));
    await server.app.stop();
  });

  it('documents, for every error class, how it is handled and its log events', () => {
    const section = doc.slice(doc.indexOf('## Monitoring'));
    for (const category of categories) expect(section).toMatch(new RegExp(`^\\| ${category} \\| .+ \\| \`[a-z]+\\.[a-z_.]+\``, 'm'));
  });

  it('counts an exhausted pool as a lease-class error, with its evt', async () => {
    const wire = { ...LAB_CONFIG, subnets: [{ ...LAB_CONFIG.subnets[0], pools: [{ start: '198.51.100.100', end: '198.51.100.100' }], reservations: [] }] };
    const server = startTestDaemon({ captureLogs: true, store: await openMemoryStore(), wire });
    await server.app.ready;
    const offer = await server.exchange(clientMessage({ mac: '02:00:5e:10:00:a1' }, MessageType.DISCOVER));
    await server.exchange(clientMessage({ mac: '02:00:5e:10:00:a1' }, MessageType.REQUEST, { requested: offer!.message.yiaddr, serverId: '198.51.100.1' }));
    expect(await server.exchange(clientMessage({ mac: '02:00:5e:10:00:a2' }, MessageType.DISCOVER), { waitMs: 50 })).toBeUndefined();
    expect(server.app.statistics().counters.errors).toMatchObject({ lease: 1 });
    expect(server.evts()).toContain('pool.exhausted');
    await server.app.stop();
  });

  it('reports the supervisor tree and the store in health()', async () => {
    const server = startTestDaemon({ captureLogs: true, store: await openMemoryStore() });
    await server.app.ready;
    expect(server.app.health()).toMatchObject({
      status: 'ok', state: 'serving.running', serving: true, store: { writable: true, pendingWrites: 0 },
      children: {
        store: { status: 'running', restarts: 0 }, ingress: { status: 'running', restarts: 0 },
        transactions: { active: 0, queued: 0 },
      },
    });
    await server.app.stop();
    expect(server.app.health()).toMatchObject({ status: 'stopped', children: { ingress: { status: 'stopped' } } });
  });
});
