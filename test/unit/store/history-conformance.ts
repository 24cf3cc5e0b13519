// The lease history contract as one shared suite (LevelDB and PostgreSQL run it): transitions are stored with
// their lease in one commit, bounded per address, swept by age, readable after a restart, and a failed commit
// stores neither the lease nor its history.
import { afterEach, describe, expect, it } from 'vitest';
import type { LeaseTransition } from '../../../src/leases/transition.js';
import type { LeaseHistoryStore, LeaseStore } from '../../../src/store/types.js';
import { collect, makeRecord, put } from './helpers.js';

export type HistoryStore = LeaseStore & LeaseHistoryStore;

export interface HistoryStoreOptions {
  readonly perLease?: number;
  readonly retentionMs?: number;
  readonly now: () => number;
}

export interface HistoryFixture {
  /** An opened store on the fixture's storage: the same storage at each call (a second call is a restart). */
  readonly open: (options: HistoryStoreOptions) => Promise<HistoryStore>;
  /** From now on every commit of `store` fails (a failing disk, a failing statement) until called with false. */
  readonly failCommits: (store: HistoryStore, fail: boolean) => Promise<void>;
  /** How many transitions are stored, all addresses together (the bound holds in storage, not only in reads). */
  /** Stored history entries: a row per transition in PostgreSQL, a key per write (its transitions) in LevelDB. */
  readonly storedEntries: (store: HistoryStore) => Promise<number>;
  readonly dispose: () => Promise<void>;
}

const IP = '198.51.100.10';
const OTHER = '198.51.100.11';
const now = () => 1_700_000_001_000;
const step = (i: number, over: Partial<LeaseTransition> = {}): LeaseTransition => ({
  at: 1_700_000_000_000 + i, ip: IP, subnetId: 1, clientKey: 'hw:1:c1', from: 'bound', to: 'bound', event: 'lease.commit', xid: i, ...over,
});
const withHistory = (transitions: LeaseTransition[], ip = IP, hostname?: string) => ({
  ...put(makeRecord(ip, 'hw:1:c1', hostname === undefined ? {} : { hostname })), transitions,
});
const xids = (transitions: readonly LeaseTransition[]) => transitions.map((t) => t.xid);
/** Both stores start their retention sweep in the background after a commit; the tests wait for it. */
const swept = (store: HistoryStore) => (store as unknown as { sweeping: Promise<void> }).sweeping;

export function describeHistoryConformance(name: string, factory: () => Promise<HistoryFixture>): void {
  describe(`lease history conformance: ${name}`, () => {
    let fixture: HistoryFixture;
    const opened: HistoryStore[] = [];
    const open = async (options: HistoryStoreOptions) => {
      const store = await fixture.open(options);
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
      await fixture.dispose();
    });

    it('stores transitions with their lease in one commit and reads them back after a restart', async () => {
      fixture = await factory();
      const store = await open({ now });
      await store.write([withHistory([step(1, { from: 'none', to: 'offered', event: 'lease.offer' }), step(2, { from: 'offered' })])]);
      expect(store.health().commits).toBe(1);
      await store.write([withHistory([step(3)]), withHistory([step(4, { ip: OTHER })], OTHER)]);
      expect(store.health().commits).toBe(2);
      await store.close();

      const again = await open({ now });
      expect(xids(await again.history(IP))).toEqual([1, 2, 3]);
      expect(await again.history(OTHER)).toEqual([step(4, { ip: OTHER })]);
      expect(await again.history('198.51.100.12')).toEqual([]);
      expect(xids(await again.history(IP, 2))).toEqual([2, 3]);
      // Appends after a restart continue the order (found in storage, not in memory). The daemon loads its leases
      // first: a shared store writes over a row only once it has seen it.
      await collect(again.loadAll());
      await again.write([withHistory([step(5)])]);
      expect(xids(await again.history(IP))).toEqual([1, 2, 3, 5]);
    });

    it('keeps at most perLease entries per address and reads the newest perLease transitions', async () => {
      fixture = await factory();
      const store = await open({ perLease: 4, now });
      for (let i = 0; i < 10; i++) await store.write([withHistory([step(i)])]);
      await store.write([withHistory([step(10), step(11), step(12), step(13), step(14), step(15)])]);
      expect(xids(await store.history(IP, 100))).toEqual([12, 13, 14, 15]);
      expect(await fixture.storedEntries(store)).toBe(4);
    });

    it('a failed commit stores neither the lease nor its history, and the next write keeps the bound', async () => {
      fixture = await factory();
      const store = await open({ perLease: 3, now });
      for (let i = 0; i < 3; i++) await store.write([withHistory([step(i)])]);
      await fixture.failCommits(store, true);
      await expect(store.write([withHistory([step(3)], IP, 'never-stored')])).rejects.toThrow();
      await fixture.failCommits(store, false);
      expect((await store.get(IP))?.context.hostname).toBeUndefined();
      expect(xids(await store.history(IP))).toEqual([0, 1, 2]);
      await store.write([withHistory([step(4)])]);
      expect(xids(await store.history(IP))).toEqual([1, 2, 4]);
    });

    it('sweeps transitions older than the retention at the first commit, and again after an hour', async () => {
      fixture = await factory();
      let time = 1_700_000_000_000 + 10 * 86_400_000;
      const store = await open({ retentionMs: 86_400_000, now: () => time });
      await store.write([withHistory([step(1), step(2, { at: time - 1000 })])]);
      await swept(store);
      expect(xids(await store.history(IP))).toEqual([2]);
      time += 2 * 86_400_000;
      await store.write([withHistory([step(3, { at: time })])]);
      await swept(store);
      expect(xids(await store.history(IP))).toEqual([3]);
    });
  });
}
