// Fault injection: a failing disk rejects the whole batch with DHCPD_ERR_STORE_WRITE, then the store recovers;
// unreadable records are skipped and reported.
import { Level } from 'level';
import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../../src/errors.js';
import { LevelLeaseStore, type LevelDatabase, type StoreLogger } from '../../../src/store/level-store.js';
import { addressKey } from '../../../src/store/keys.js';
import { collect, injectBatchFault, makeRecord, makeTempDir, put, settle, clientLease } from './helpers.js';

function fakeLogger(): StoreLogger & { events: string[] } {
  const events: string[] = [];
  const log = (obj: object): void => {
    events.push(String((obj as { evt?: unknown }).evt));
  };
  return { events, info: log, warn: log, error: log };
}

async function failThenRecover(db: LevelDatabase): Promise<void> {
  let failuresLeft = 0;
  const disk = new Error('EIO: i/o error');
  injectBatchFault(db, () => (failuresLeft > 0 && failuresLeft-- > 0 ? disk : undefined));
  const logger = fakeLogger();
  const store = new LevelLeaseStore(db, { logger });
  await store.open();
  const kept = makeRecord('198.51.100.1', 'keeper');
  await store.write([put(kept)]);

  failuresLeft = 2;
  const doomed = Array.from({ length: 10 }, (_, i) => settle(store.write([put(makeRecord(`198.51.100.${i + 1}`, `t${i}`))])));
  const outcomes = await Promise.all(doomed);
  for (const outcome of outcomes) {
    const error = outcome.ok ? undefined : outcome.error;
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'DHCPD_ERR_STORE_WRITE', cause: disk });
  }
  expect(store.health()).toMatchObject({ writable: false, pendingWrites: 0 });
  expect(store.health().lastError).toContain('EIO');

  const second = await settle(store.write([put(makeRecord('198.51.100.50', 'x'))]));
  expect(second.ok).toBe(false);
  expect(store.health().writable).toBe(false);

  // Nothing of the failed batches landed, and the index of the lease they would have overwritten is intact.
  expect(await clientLease(store, 1, 'keeper')).toEqual(kept);
  expect(await store.get('198.51.100.2')).toBeUndefined();

  const commitsBefore = store.health().commits;
  await store.write([put(makeRecord('198.51.100.60', 'later'))]);
  expect(store.health()).toMatchObject({ writable: true, commits: commitsBefore + 1 });
  expect((await clientLease(store, 1, 'later'))?.context.ip).toBe('198.51.100.60');
  // Each write after a failed one re-opens the database first (a torn log record must not precede new ones).
  expect(logger.events).toEqual([
    'store.write.failed', 'store.reopened', 'store.write.failed', 'store.reopened', 'store.write.recovered',
  ]);
  await store.close();
}

describe('a failing batch', () => {
  it('rejects every caller, marks the store unwritable, then recovers (memory-level)', async () => {
    await failThenRecover(new MemoryLevel<string, string>());
  });

  it('rejects every caller, marks the store unwritable, then recovers (LevelDB)', async () => {
    const temp = await makeTempDir();
    try {
      await failThenRecover(new Level<string, string>(temp.dir));
    } finally {
      await temp.remove();
    }
  });

  it('turns a failed read while planning a batch into DHCPD_ERR_STORE_WRITE', async () => {
    const db = new MemoryLevel<string, string>();
    const store = new LevelLeaseStore(db);
    await store.open();
    // Sublevels read through the root's getMany (overloaded, so the stub is typed by hand).
    type GetMany = (keys: string[], options?: unknown) => Promise<unknown>;
    const root = db as unknown as { getMany: GetMany };
    const original = root.getMany.bind(db);
    let broken = true;
    root.getMany = (keys, options) => (broken ? Promise.reject(new Error('read failed')) : original(keys, options));
    await expect(store.write([put(makeRecord('198.51.100.1', 'c'))])).rejects.toMatchObject({
      code: 'DHCPD_ERR_STORE_WRITE',
    });
    broken = false;
    await store.write([put(makeRecord('198.51.100.1', 'c'))]);
    expect(store.health().writable).toBe(true);
    await store.close();
  });
});

describe('unreadable records', () => {
  it('are skipped by loadAll and get, reported with their key, and can be overwritten', async () => {
    const db = new MemoryLevel<string, string>();
    const reported: [string, unknown][] = [];
    const store = new LevelLeaseStore(db, { onCorruptRecord: (key, error) => reported.push([key, error]) });
    await store.open();
    await store.write(['198.51.100.1', '198.51.100.3'].map((ip, i) => put(makeRecord(ip, `c${i}`))));
    const raw = db.sublevel<string, string>('lease', { valueEncoding: 'utf8' });
    await raw.put(addressKey('198.51.100.2'), '{"state":"bo');
    await raw.put(addressKey('198.51.100.4'), JSON.stringify(makeRecord('198.51.100.9', 'misfiled')));

    const loaded = await collect(store.loadAll());
    expect(loaded.map((r) => r.context.ip)).toEqual(['198.51.100.1', '198.51.100.3']);
    expect(reported.map(([key]) => key)).toEqual([addressKey('198.51.100.2'), addressKey('198.51.100.4')]);
    expect(reported[0]?.[1]).toMatchObject({ code: 'DHCPD_ERR_STORE_CORRUPT' });

    expect(await store.get('198.51.100.2')).toBeUndefined();
    await store.write([put(makeRecord('198.51.100.2', 'fresh'))]);
    expect((await clientLease(store, 1, 'fresh'))?.context.ip).toBe('198.51.100.2');
    await store.close();
  });

  it('are logged as store.record.corrupt when no callback is given', async () => {
    const db = new MemoryLevel<string, string>();
    const logger = fakeLogger();
    const store = new LevelLeaseStore(db, { logger });
    await store.open();
    await db.sublevel<string, string>('lease', { valueEncoding: 'utf8' }).put(addressKey('198.51.100.2'), 'x');
    expect(await collect(store.loadAll())).toEqual([]);
    expect(logger.events).toEqual(['store.record.corrupt']);
    await store.close();
  });
});
