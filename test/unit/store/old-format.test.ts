// A data directory written by the version that stored JSON records (fixtures/json-store, made by that version's
// openLevelStore) still opens: its leases, index and history read back, and writing a lease again stores it in the
// binary format with its history continuing where the old keys end.
import { cp } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { LeaseRecord } from '../../../machines/lease.types.js';
import { openLevelStore } from '../../../src/store/open.js';
import type { LevelDatabase } from '../../../src/store/level-store.js';
import { collect, makeRecord, makeTempDir, clientLease } from './helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/json-store', import.meta.url));
const now = () => 1_700_000_002_000;

async function rawLease(store: unknown, key: string): Promise<Uint8Array | undefined> {
  const db = (store as { db: LevelDatabase }).db;
  return db.sublevel<string, Uint8Array>('lease', { valueEncoding: 'view' }).get(key);
}

describe('a store written in the JSON format', () => {
  it('opens, reads back, and is rewritten in binary lease by lease', async () => {
    const temp = await makeTempDir();
    try {
      await cp(FIXTURE, temp.dir, { recursive: true });
      const store = await openLevelStore(temp.dir, { now });
      const loaded: LeaseRecord[] = await collect(store.loadAll());
      expect(loaded).toEqual([
        makeRecord('198.51.100.10', 'hw:1:c10', { hostname: 'ten' }),
        makeRecord('198.51.100.11', 'hw:1:c11', { state: 'declined' }),
        makeRecord('198.51.100.12', 'id:01ff', { subnetId: 2 }),
      ]);
      expect(await clientLease(store, 2, 'id:01ff')).toEqual(loaded[2]);
      expect((await store.history('198.51.100.10')).map((t) => t.xid)).toEqual([1, 2]);
      expect((await rawLease(store, 'c633640a'))?.[0]).toBe(0x7b); // "{": still JSON

      const renewed = makeRecord('198.51.100.10', 'hw:1:c10', { hostname: 'ten', state: 'renewing' });
      const transition = { at: now(), ip: '198.51.100.10', subnetId: 1, clientKey: 'hw:1:c10', from: 'bound', to: 'renewing', event: 'timer.T1', xid: 9 };
      await store.write([{ kind: 'put' as const, record: renewed, transitions: [transition] }]);
      expect((await rawLease(store, 'c633640a'))?.[0]).toBe(0xb1);
      await store.close();

      const again = await openLevelStore(temp.dir, { now });
      try {
        expect(await again.get('198.51.100.10')).toEqual(renewed);
        expect((await again.history('198.51.100.10')).map((t) => t.xid)).toEqual([1, 2, 9]);
        expect(await collect(again.loadAll())).toEqual([renewed, loaded[1], loaded[2]]);
      } finally {
        await again.close();
      }
    } finally {
      await temp.remove();
    }
  });
});
