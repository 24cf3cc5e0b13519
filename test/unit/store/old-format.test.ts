// A data directory written by the version that stored JSON records (fixtures/json-store, made by that version's
// openLevelStore) still opens: its leases, index and history read back, and writing a lease again stores it in the
// binary format with its history continuing where the old keys end.
import { cp } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Level } from 'level';
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

/** The stored history entries in key order (of every address). */
async function rawHistory(store: unknown): Promise<Uint8Array[]> {
  const db = (store as { db: LevelDatabase }).db;
  return db.sublevel<string, Uint8Array>('history', { valueEncoding: 'view' }).values().all();
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
      // The address's two JSON entries, its new one (binary), another address's JSON entry.
      expect((await rawHistory(store)).map((value) => value[0])).toEqual([0x7b, 0x7b, 0xb2, 0x7b]);
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

describe('a store whose history entries are JSON (the version before binary entries)', () => {
  it('reads them with the binary entries written after them, and its sweep keeps them', async () => {
    const temp = await makeTempDir();
    const ip = '198.51.100.20';
    const step = (xid: number, from: string, to: string) =>
      ({ at: now() - 1000 + xid, ip, subnetId: 1, clientKey: 'hw:1:c20', from, to, event: 'lease.commit', xid, message: `DHCPREQUEST ${xid}` });
    try {
      // Two writes as that version stored them: an offer with its ACK (a JSON array), then one transition (an object).
      const store = await openLevelStore(temp.dir, { now });
      await store.write([{ kind: 'put', record: makeRecord(ip, 'hw:1:c20'), transitions: [step(1, 'none', 'offered'), step(2, 'offered', 'bound')] }]);
      await store.write([{ kind: 'put', record: makeRecord(ip, 'hw:1:c20'), transitions: [step(3, 'bound', 'renewing')] }]);
      await store.close();
      const db = new Level<string, string>(temp.dir);
      const history = db.sublevel<string, string>('history', { valueEncoding: 'utf8' });
      const keys = await history.keys().all();
      expect(keys).toHaveLength(2);
      await history.put(keys[0]!, JSON.stringify([step(1, 'none', 'offered'), step(2, 'offered', 'bound')]));
      await history.put(keys[1]!, JSON.stringify(step(3, 'bound', 'renewing')));
      await db.close();

      const again = await openLevelStore(temp.dir, { now });
      try {
        expect(await again.history(ip)).toEqual([step(1, 'none', 'offered'), step(2, 'offered', 'bound'), step(3, 'bound', 'renewing')]);
        // The first commit after the open sweeps the history: entries of either format within the retention stay.
        await again.write([{ kind: 'put', record: makeRecord(ip, 'hw:1:c20'), transitions: [step(4, 'renewing', 'bound')] }]);
        await (again as unknown as { sweeping: Promise<void> }).sweeping;
        expect((await rawHistory(again)).map((value) => value[0])).toEqual([0x5b, 0x7b, 0xb2]);
        expect((await again.history(ip)).map((t) => t.xid)).toEqual([1, 2, 3, 4]);
        expect((await again.history(ip, 2)).map((t) => t.xid)).toEqual([3, 4]);
      } finally {
        await again.close();
      }
    } finally {
      await temp.remove();
    }
  });
});
