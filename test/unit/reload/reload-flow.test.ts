// App.reload, the seed's reload flow: load → validate → (refuse, old config serving) → diff → (unchanged) →
// atomic apply → report; reloads asked meanwhile coalesced into one more; a decision in flight keeps its config.
import { describe, expect, it } from 'vitest';
import { getU32Option } from '../../../src/codec/index.js';
import { MessageType } from '../../../src/codec/types.js';
import type { LoadResult } from '../../../src/reload/load.js';
import { DelegatingLeaseStore } from '../../../src/store/delegating-store.js';
import { openMemoryStore } from '../../../src/store/open.js';
import type { LeaseWrite } from '../../../src/store/types.js';
import { clientMessage } from '../../helpers/test-client.js';
import { SERVER_ID, replyType } from '../../helpers/test-server.js';
import { labWire, startReloadServer } from './helpers.js';

const RELAYED = { mac: '02:00:5e:10:00:31', giaddr: '203.0.113.1' };
const DIRECT = { mac: '02:00:5e:10:00:32' };

describe('App.reload', () => {
  it('adds a subnet, changes options and reports the diff; the next packet sees the new config', async () => {
    const initial = labWire();
    initial.subnets = [initial.subnets[0]!];
    const s = await startReloadServer(initial);
    expect(await s.exchange(clientMessage(RELAYED, MessageType.DISCOVER))).toBeUndefined();
    const next = labWire();
    next.subnets[0]!.router = ['198.51.100.254'];
    s.write(next);
    const report = await s.app.reload('signal');
    expect(report).toMatchObject({ result: 'reloaded', diff: { subnets: { added: [2], removed: [], changed: [1] } } });
    const offer = await s.exchange(clientMessage(RELAYED, MessageType.DISCOVER));
    expect(offer?.message.yiaddr).toMatch(/^203\.0\.113\./);
    const direct = await s.exchange(clientMessage(DIRECT, MessageType.DISCOVER));
    expect(direct?.message.options.find((o) => o.code === 3)?.data).toEqual(Buffer.from([198, 51, 100, 254]));
    expect(s.evts('config.reloaded')).toEqual([expect.objectContaining({ triggers: ['signal'], diff: report.result === 'reloaded' ? report.diff : undefined })]);
    expect(s.app.statistics().counters.events).toMatchObject({ 'config.reloaded': 1 });
    await s.stop();
  });

  it('a broken file is refused with every JSON path; the old config keeps serving; the failure is logged and counted', async () => {
    const s = await startReloadServer(labWire());
    const before = s.app.config();
    const bad = labWire();
    bad.subnets[0]!.leaseTime = -1;
    (bad as Record<string, unknown>)['offerHoldSecond'] = 5;
    s.write(bad);
    const report = await s.app.reload('api');
    expect(report.result).toBe('failed');
    const paths = report.result === 'failed' ? report.issues.map((i) => i.path) : [];
    expect(paths).toEqual(expect.arrayContaining(['$.offerHoldSecond', '$.subnets[0].leaseTime']));
    expect(s.app.config()).toBe(before);
    const failed = s.evts('config.reload_failed')[0]!;
    expect(failed).toMatchObject({ level: 50, err: { code: 'DHCPD_ERR_CONFIG_INVALID' }, triggers: ['api'] });
    expect(failed['issues']).toEqual(report.result === 'failed' ? report.issues : undefined);
    expect(s.app.statistics().counters.events).toMatchObject({ 'config.reload_failed': 1 });
    expect(s.app.statistics().counters.errors).toMatchObject({ config: 1 });
    s.write('{ "subnets": [ ');
    expect(await s.app.reload('cli')).toMatchObject({ result: 'failed', issues: [{ path: '$', message: expect.stringMatching(/line 1/) }] });
    const offer = await s.exchange(clientMessage(DIRECT, MessageType.DISCOVER));
    expect(offer && replyType(offer.message)).toBe(MessageType.OFFER);
    await s.stop();
  });

  it('a retransmission after a reload is decided under the new config, not answered from the reply cache', async () => {
    const s = await startReloadServer(labWire());
    const discover = clientMessage(DIRECT, MessageType.DISCOVER);
    const first = await s.exchange(discover);
    expect(first?.message.options.find((o) => o.code === 3)?.data).toEqual(Buffer.from([198, 51, 100, 1]));
    const next = labWire();
    next.subnets[0]!.router = ['198.51.100.254'];
    s.write(next);
    await s.app.reload('signal');
    const again = await s.exchange(discover);
    expect(again?.message.options.find((o) => o.code === 3)?.data).toEqual(Buffer.from([198, 51, 100, 254]));
    await s.stop();
  });

  it('the same file again: config.unchanged', async () => {
    const s = await startReloadServer(labWire());
    expect(await s.app.reload('signal')).toMatchObject({ result: 'unchanged' });
    expect(s.evts('config.unchanged')).toHaveLength(1);
    await s.stop();
  });

  it('a store path or listen change is refused (DHCPD_ERR_CONFIG_RESTART_REQUIRED), nothing else applied', async () => {
    const s = await startReloadServer(labWire());
    const before = s.app.config();
    s.write({ ...labWire(), store: { kind: 'memory', path: '/elsewhere' }, offerHoldSeconds: 5 });
    const report = await s.app.reload('signal');
    expect(report).toMatchObject({ result: 'failed', issues: [{ path: '$.store.path', message: expect.stringMatching(/restart/) }] });
    expect(s.evts('config.reload_failed')[0]).toMatchObject({ err: { code: 'DHCPD_ERR_CONFIG_RESTART_REQUIRED' } });
    expect(s.app.config()).toBe(before);
    await s.stop();
  });

  it('reloads asked while one runs are coalesced into one more, never lost; the daemon serves throughout', async () => {
    let loads = 0;
    let firstRead = false;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const s = await startReloadServer(labWire(), {
      load: (file) => async (): Promise<LoadResult> => {
        loads++;
        const loaded = await file();
        if (loads === 1) {
          firstRead = true;
          await gate;
        }
        return loaded;
      },
    });
    const first = s.app.reload('signal');
    while (!firstRead) await new Promise((r) => setImmediate(r));
    expect(s.app.state()).toBe('serving.reloading');
    expect(s.app.health()).toMatchObject({ status: 'ok', serving: true });
    const offer = await s.exchange(clientMessage(DIRECT, MessageType.DISCOVER));
    expect(offer && replyType(offer.message)).toBe(MessageType.OFFER);
    // Written after the first load started: only a later reload can see it.
    s.write({ ...labWire(), offerHoldSeconds: 30 });
    const more = Array.from({ length: 100 }, (_, i) => s.app.reload(i % 2 === 0 ? 'signal' : 'api'));
    release();
    expect(await first).toMatchObject({ result: 'unchanged' });
    const reports = await Promise.all(more);
    expect(loads).toBe(2);
    expect(new Set(reports)).toEqual(new Set([expect.objectContaining({ result: 'reloaded', diff: expect.objectContaining({ sections: ['offerHoldSeconds'] }) })]));
    expect(s.evts('config.reloaded')[0]).toMatchObject({ triggers: ['signal', 'api'] });
    expect(s.app.config().offerHoldMs).toBe(30_000);
    expect(s.app.state()).toBe('serving.running');
    await s.stop();
  });

  it('a decision awaiting its store write finishes with the config it started with', async () => {
    let hold: (() => void) | undefined;
    class SlowStore extends DelegatingLeaseStore {
      override async write(writes: readonly LeaseWrite[]): Promise<void> {
        if (hold === undefined) await new Promise<void>((r) => (hold = r));
        return super.write(writes);
      }
    }
    const s = await startReloadServer(labWire(), { store: new SlowStore(await openMemoryStore()) });
    const offer = await s.exchange(clientMessage(DIRECT, MessageType.DISCOVER));
    const ip = offer!.message.yiaddr;
    const ack = s.exchange(clientMessage(DIRECT, MessageType.REQUEST, { requested: ip, serverId: SERVER_ID }));
    while (hold === undefined) await new Promise((r) => setImmediate(r));
    const next = labWire();
    next.subnets[0]!.leaseTime = 600;
    s.write(next);
    expect(await s.app.reload('api')).toMatchObject({ result: 'reloaded' });
    hold();
    const reply = await ack;
    expect(reply && replyType(reply.message)).toBe(MessageType.ACK);
    expect(getU32Option(reply!.message, 51)).toBe(3600);
    expect(s.app.lease(ip)?.context.expiresAt).toBe(s.clock.now() + 3600_000);
    await s.stop();
  });

  it('a reload asked for while the daemon stops is answered, not left waiting', async () => {
    const s = await startReloadServer(labWire());
    const stopping = s.stop();
    const report = await s.app.reload('api');
    await stopping;
    expect(report).toMatchObject({ result: 'failed', issues: [{ path: '$', message: expect.stringMatching(/stopped/) }] });
  });

  it('a new log level applies at once', async () => {
    const s = await startReloadServer(labWire());
    s.write({ ...labWire(), logging: { level: 'debug' } });
    expect(s.log.level).toBe('info');
    await s.app.reload('signal');
    expect(s.log.level).toBe('debug');
    await s.stop();
  });
});
