// The root supervisor's decisions as configured: a damaged store escalates at once (exit code 1, the repair
// command in the error and the log), a transient store failure is restarted with backoff, the health tree shows
// which child is restarting, and a graceful stop lets an in-flight commit finish and its ACK go out first.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Level } from 'level';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { MessageType } from '../../../src/codec/types.js';
import { StoreError } from '../../../src/errors.js';
import { LevelLeaseStore } from '../../../src/store/level-store.js';
import { openLevelStore, openMemoryStore } from '../../../src/store/open.js';
import type { LeaseStore } from '../../../src/store/types.js';
import { clientMessage } from '../../helpers/test-client.js';
import { LAB_CONFIG, replyType } from '../../helpers/test-server.js';
import { makeRecord, makeTempDir, put, testIp } from '../store/helpers.js';
import { FaultyStore } from '../../helpers/faults.js';
import { settle, startTestDaemon } from '../../helpers/test-daemon.js';

/** A memory store whose open() fails with the given errors first. */
async function storeFailingOpen(...errors: Error[]): Promise<LeaseStore & { opens: number }> {
  const inner = await openMemoryStore();
  const store = Object.assign(Object.create(inner) as LeaseStore, { opens: 0 });
  store.open = async () => {
    store.opens += 1;
    const error = errors.shift();
    if (error !== undefined) throw error;
  };
  return store;
}

/** A memory store whose lease load yields one record, then waits for `release()` before the rest. */
async function storeWithSlowLoad(): Promise<{ store: LeaseStore; firstRead: Promise<void>; release: () => void; loadClosed: () => boolean }> {
  const inner = await openMemoryStore();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let firstReadDone!: () => void;
  const firstRead = new Promise<void>((resolve) => (firstReadDone = resolve));
  let closed = false;
  const store = Object.create(inner) as LeaseStore;
  store.loadAll = async function* () {
    try {
      yield makeRecord(testIp(1), 'c1', { state: 'bound' });
      firstReadDone();
      await gate;
      for (let i = 2; i < 100; i++) yield makeRecord(testIp(i), `c${i}`, { state: 'bound' });
    } finally {
      closed = true;
    }
  };
  return { store, firstRead, release, loadClosed: () => closed };
}

describe('root supervisor and the store', () => {
  it('a stop while the leases are being restored stops the load and exits 0 without serving', async () => {
    const slow = await storeWithSlowLoad();
    const server = startTestDaemon({ captureLogs: true, store: slow.store });
    await slow.firstRead;
    const stopped = server.app.stop();
    slow.release();
    expect(await stopped).toBe(0);
    expect(slow.loadClosed()).toBe(true);
    expect(server.evts()).toContain('leases.rehydrate-stopped');
    expect(server.evts()).not.toContain('leases.rehydrated');
    expect(server.evts()).not.toContain('server.ready');
    expect([...server.app.leases()].length).toBe(1);
  });

  it('a damaged store at open escalates at once: exit code 1, the repair command logged, never serving empty', async () => {
    const temp = await makeTempDir('dhcpd-root-');
    try {
      const path = join(temp.dir, 'leases');
      const seeded = await openLevelStore(path);
      await seeded.close();
      writeFileSync(join(path, 'CURRENT'), 'garbage');
      const store = new LevelLeaseStore(new Level<string, string>(path), { location: path });
      const server = startTestDaemon({ captureLogs: true, store });
      await expect(server.app.ready).rejects.toMatchObject({ code: 'DHCPD_ERR_STORE_CORRUPT' });
      expect(await server.app.done).toBe(1);
      const escalated = server.logs.find((l) => l.evt === 'supervisor.escalated');
      expect(escalated).toMatchObject({ child: 'store', repair: `npx actor-dhcpd repair-store ${path}` });
      expect(server.evts()).not.toContain('supervisor.restarting');
      expect(server.evts()).not.toContain('server.ready');
      const health = server.app.health();
      expect(health).toMatchObject({ status: 'failed', serving: false });
      expect(health.children.store).toEqual({ status: 'failed', restarts: 1, lastError: 'DHCPD_ERR_STORE_CORRUPT' });
    } finally {
      await temp.remove();
    }
  });

  it('a table found damaged while rehydrating stops the daemon (exit code 1) rather than serving a partial lease set', async () => {
    const temp = await makeTempDir('dhcpd-root-');
    try {
      const path = join(temp.dir, 'leases');
      const seeded = await openLevelStore(path);
      await seeded.write(Array.from({ length: 500 }, (_, i) => put(makeRecord(testIp(i), `c${i}`))));
      await seeded.close();
      const db = new Level<string, string>(path);
      // Level's types omit ClassicLevel's compactRange; it moves the log into a .ldb table file.
      await (db as unknown as { compactRange(start: string, end: string): Promise<void> }).compactRange('\x00', '\xff');
      await db.close();
      const table = join(path, readdirSync(path).find((f) => f.endsWith('.ldb'))!);
      const bytes = readFileSync(table);
      for (let i = 64; i < bytes.length - 64; i += 11) bytes[i] = (bytes[i] ?? 0) ^ 0x5a;
      writeFileSync(table, bytes);
      const server = startTestDaemon({ captureLogs: true, store: new LevelLeaseStore(new Level<string, string>(path), { location: path }) });
      await expect(server.app.ready).rejects.toMatchObject({ code: 'DHCPD_ERR_STORE_CORRUPT' });
      expect(await server.app.done).toBe(1);
      expect(server.logs.find((l) => l.evt === 'supervisor.escalated')).toMatchObject({ child: 'rehydrate', repair: expect.stringContaining('repair-store') });
      expect(server.evts()).not.toContain('server.ready');
    } finally {
      await temp.remove();
    }
  });

  it('a transient open failure is restarted after the store backoff, and the health tree says so', async () => {
    const store = await storeFailingOpen(new StoreError('DHCPD_ERR_STORE_UNAVAILABLE', 'disk not ready'));
    const clock = new ManualClock();
    const server = startTestDaemon({ captureLogs: true, store, clock });
    await settle();
    expect(server.app.state()).toBe('recovering');
    expect(server.app.health().children.store).toEqual({ status: 'restarting', restarts: 1, lastError: 'DHCPD_ERR_STORE_UNAVAILABLE' });
    expect(server.app.health().status).toBe('degraded');
    clock.advance(300); // the store strategy starts at 500 ms ± 20 %
    await settle();
    expect(store.opens).toBe(1);
    clock.advance(400);
    await server.app.ready;
    expect(store.opens).toBe(2);
    expect(server.app.health()).toMatchObject({ status: 'ok', children: { store: { status: 'running', restarts: 1 } } });
    expect(server.logs.find((l) => l.evt === 'supervisor.restarting')).toMatchObject({ child: 'store' });
    await server.app.stop();
  });

  it('with onPermanent "restart" a non-transient open failure is restarted too', async () => {
    const store = await storeFailingOpen(new StoreError('DHCPD_ERR_STORE_OPEN', 'permission denied'));
    const clock = new ManualClock();
    const wire = { ...LAB_CONFIG, supervision: { store: { onPermanent: 'restart', backoff: { initialMs: 10, jitter: 0 } } } };
    const server = startTestDaemon({ captureLogs: true, store, clock, wire });
    await settle();
    expect(server.app.state()).toBe('recovering');
    clock.advance(10);
    await server.app.ready;
    expect(store.opens).toBe(2);
    await server.app.stop();
  });

  it('escalates a transient failure once it exceeds the configured intensity', async () => {
    const unavailable = () => new StoreError('DHCPD_ERR_STORE_UNAVAILABLE', 'disk not ready');
    const store = await storeFailingOpen(unavailable(), unavailable(), unavailable(), unavailable());
    const clock = new ManualClock();
    const wire = { ...LAB_CONFIG, supervision: { store: { maxRestarts: 2, backoff: { initialMs: 10, jitter: 0 } } } };
    const server = startTestDaemon({ captureLogs: true, store, clock, wire });
    for (let i = 0; i < 6; i++) {
      await settle();
      clock.advance(100);
    }
    expect(await server.app.done).toBe(1);
    expect(store.opens).toBe(3);
    expect(server.app.statistics().counters.events).toMatchObject({ 'supervisor.restarting': 2, 'supervisor.escalated': 1 });
  });
});

describe('graceful stop', () => {
  it('finishes the in-flight commit and sends its ACK before the store closes', async () => {
    const store = new FaultyStore(await openMemoryStore());
    const server = startTestDaemon({ captureLogs: true, store });
    await server.app.ready;
    const client = { mac: '02:00:5e:10:00:71' };
    const offer = await server.exchange(clientMessage(client, MessageType.DISCOVER));
    store.hold = true;
    const pending = server.exchange(clientMessage(client, MessageType.REQUEST, { requested: offer!.message.yiaddr, serverId: '198.51.100.1' }), { waitMs: 2_000 });
    await settle();
    expect(store.heldWrites).toBe(1);
    const stopped = server.app.stop();
    await settle(30);
    expect(server.app.state()).toBe('serving.quiescing');
    // A new client is not taken on while quiescing.
    expect(await server.exchange(clientMessage({ mac: '02:00:5e:10:00:72' }, MessageType.DISCOVER), { waitMs: 50 })).toBeUndefined();
    store.release();
    const ack = await pending;
    expect(ack && replyType(ack.message)).toBe(MessageType.ACK);
    expect(await stopped).toBe(0);
    expect(store.closedAfterWrites).toBe(store.writes);
    expect(server.app.statistics().counters.drops!['shutting-down']).toBe(1);
  });
});
