// Runs the store conformance suite on real LevelDB (temp dir) and on memory-level, plus durability checks.
import { Level } from 'level';
import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { LevelLeaseStore, type LevelDatabase } from '../../../src/store/level-store.js';
import { openLevelStore, openMemoryStore } from '../../../src/store/open.js';
import { describeLeaseStoreConformance } from './conformance.js';
import { collect, del, makeRecord, makeTempDir, put, testIp, clientLease } from './helpers.js';

describeLeaseStoreConformance('classic-level (LevelDB in a temp dir)', async () => {
  const temp = await makeTempDir();
  return { store: new LevelLeaseStore(new Level<string, string>(temp.dir)), dispose: temp.remove };
});

describeLeaseStoreConformance('memory-level', async () => ({
  store: new LevelLeaseStore(new MemoryLevel<string, string>()),
  dispose: async () => undefined,
}));

describeLeaseStoreConformance('classic-level, commitIntervalMs 5 and maxBatch 7', async () => {
  const temp = await makeTempDir();
  const db = new Level<string, string>(temp.dir);
  return { store: new LevelLeaseStore(db, { commitIntervalMs: 5, maxBatch: 7 }), dispose: temp.remove };
});

describe('LevelLeaseStore on LevelDB', () => {
  it('keeps acknowledged writes across close and reopen, with the client index', async () => {
    const temp = await makeTempDir();
    try {
      const first = await openLevelStore(temp.dir);
      const records = Array.from({ length: 500 }, (_, i) => makeRecord(testIp(i), `hw:1:c${i}`));
      await Promise.all(records.map((r) => first.write([put(r)])));
      await first.write([del(testIp(7)), put(makeRecord(testIp(8), 'hw:1:c8-new'))]);
      await first.close();

      const second = await openLevelStore(temp.dir);
      try {
        const loaded = await collect(second.loadAll());
        expect(loaded).toHaveLength(499);
        expect(loaded[0]).toEqual(records[0]);
        expect(loaded.map((r) => r.context.ip)).not.toContain(testIp(7));
        expect(await clientLease(second, 1, 'hw:1:c8')).toBeUndefined();
        expect((await clientLease(second, 1, 'hw:1:c8-new'))?.context.ip).toBe(testIp(8));
        expect(await clientLease(second, 1, 'hw:1:c499')).toEqual(records[499]);
      } finally {
        await second.close();
      }
    } finally {
      await temp.remove();
    }
  });

  it('maps a store locked by another handle to DHCPD_ERR_STORE_OPEN', async () => {
    const temp = await makeTempDir();
    const holder = await openLevelStore(temp.dir);
    try {
      await expect(openLevelStore(temp.dir)).rejects.toMatchObject({
        code: 'DHCPD_ERR_STORE_OPEN',
        message: expect.stringContaining('locked'),
      });
    } finally {
      await holder.close();
      await temp.remove();
    }
  });

  it('splits a long queue into batches of at most maxBatch writes', async () => {
    const temp = await makeTempDir();
    const store = await openLevelStore(temp.dir, { maxBatch: 10 });
    try {
      await Promise.all(Array.from({ length: 95 }, (_, i) => store.write([put(makeRecord(testIp(i), `c${i}`))])));
      // The first commit starts alone on the next turn; the other 94 queue behind it in batches of <= 10.
      expect(store.health().commits).toBeGreaterThanOrEqual(10);
      expect(store.health().commits).toBeLessThanOrEqual(12);
    } finally {
      await store.close();
      await temp.remove();
    }
  });
});

describe('openMemoryStore', () => {
  it('opens a working in-memory store', async () => {
    const store = await openMemoryStore();
    await store.write([put(makeRecord('198.51.100.1', 'c'))]);
    expect((await clientLease(store, 1, 'c'))?.context.ip).toBe('198.51.100.1');
    await store.close();
  });
});

describe('the batch write on classic-level', () => {
  it('stores each of many leases and history entries of one batch as its own (the buffers of one put are reused by the next)', async () => {
    const temp = await makeTempDir();
    const now = () => 1_700_000_000_500;
    const step = (i: number) => ({ at: now(), ip: testIp(i), subnetId: 1, clientKey: `c${i}`, from: 'offered', to: 'bound', event: 'lease.commit', xid: i, message: 'm'.repeat(i) });
    const records = Array.from({ length: 40 }, (_, i) => makeRecord(testIp(i), `c${i}`, i % 3 === 0 ? { hostname: `h${i}` } : {}));
    try {
      const store = await openLevelStore(temp.dir, { now });
      await store.write(records.map((record, i) => ({ kind: 'put' as const, record, transitions: [step(i)] })));
      await store.close();
      const again = await openLevelStore(temp.dir, { now });
      try {
        expect(await collect(again.loadAll())).toEqual(records);
        for (let i = 0; i < records.length; i++) expect(await again.history(testIp(i))).toEqual([step(i)]);
      } finally {
        await again.close();
      }
    } finally {
      await temp.remove();
    }
  });

  it('goes straight to the backend (not abstract-level batch()) and stores what the public path stores', async () => {
    const temp = await makeTempDir();
    const reference = new MemoryLevel<string, string>();
    try {
      const db = new Level<string, string>(temp.dir);
      const publicBatches = { count: 0 };
      const original = db.batch.bind(db) as (...args: unknown[]) => unknown;
      (db as unknown as { batch: (...args: unknown[]) => unknown }).batch = (...args) => (publicBatches.count++, original(...args));
      const now = () => 1_700_000_000_500;
      const writes = [
        { kind: 'put' as const, record: makeRecord(testIp(1), 'a'), transitions: [{ at: now(), ip: testIp(1), subnetId: 1, clientKey: 'a', from: 'offered', to: 'bound', event: 'lease.commit', xid: 1 }] },
        put(makeRecord(testIp(2), 'b')),
      ];
      for (const [target, count] of [[db, publicBatches], [reference, undefined]] as const) {
        const store = new LevelLeaseStore(target, { now });
        await store.open();
        await store.write(writes);
        await store.write([del(testIp(2))]);
        if (count !== undefined) expect(count.count).toBe(0);
        await store.close();
      }
      const dump = async (target: LevelDatabase) => {
        await target.open();
        const entries = (await target.iterator({ valueEncoding: 'hex' }).all()).filter(([key]) => key !== '!meta!id');
        await target.close();
        return entries;
      };
      const stored = await dump(new Level<string, string>(temp.dir));
      expect(stored.map(([key]) => key.replace(/!(lease|history)!.*/, '!$1!'))).toEqual(['!history!', '!lease!', '!meta!seq']);
      expect(stored).toEqual(await dump(reference));
    } finally {
      await temp.remove();
    }
  });
});
