// The root machine's server.reload is the reload path: asked while the ingress is restarting, a reload is
// remembered and runs once serving resumes; a daemon without a config file says so instead of hanging.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { NetError } from '../../../src/errors.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { compile, startTestDaemon } from '../../helpers/test-daemon.js';
import { MemoryLink } from '../../helpers/test-server.js';
import { labWire } from './helpers.js';

const settle = () => new Promise((r) => setImmediate(r));

describe('reload and the root supervisor', () => {
  it('a reload asked while the ingress restarts runs when serving resumes', async () => {
    const clock = new ManualClock();
    let opens = 0;
    let loads = 0;
    const next = compile({ ...labWire(), offerHoldSeconds: 7 });
    const { app } = startTestDaemon({
      wire: labWire(), store: await openMemoryStore(), clock,
      openTransport: async () => {
        if (++opens === 1) throw new NetError('DHCPD_ERR_NET_BIND', 'address in use');
        return new MemoryLink();
      },
      loadConfig: async () => {
        loads++;
        return { ok: true, config: next };
      },
    });
    while (!app.state().startsWith('recovering')) await settle();
    const report = app.reload('api');
    await settle();
    expect(loads).toBe(0);
    while (!app.state().startsWith('serving')) {
      clock.advance(1_000);
      await settle();
    }
    expect(await report).toMatchObject({ result: 'reloaded', diff: { sections: ['offerHoldSeconds'] } });
    expect(loads).toBe(1);
    expect(app.config().offerHoldMs).toBe(7_000);
    await app.stop();
  });

  it('without a config file a reload fails with a clear issue', async () => {
    const { app } = startTestDaemon({ wire: labWire(), store: await openMemoryStore() });
    await app.ready;
    expect(await app.reload('cli')).toMatchObject({ result: 'failed', issues: [{ path: '$', message: expect.stringMatching(/without a config file/) }] });
    await app.stop();
  });
});
