// Lease history in LevelDB: the shared history suite (one commit with the lease, bounded per address, swept by
// age, readable after a restart); the recorder carries unstored transitions (offers) into the next write.
import { describe, expect, it } from 'vitest';
import type { LeaseTransition } from '../../../src/leases/transition.js';
import { HistoryRecorder } from '../../../src/store/history-recorder.js';
import { openLevelStore, openMemoryStore } from '../../../src/store/open.js';
import type { LevelDatabase } from '../../../src/store/level-store.js';
import { injectBatchFault, makeRecord, makeTempDir, put } from './helpers.js';
import { describeHistoryConformance, type HistoryFixture, type HistoryStore } from './history-conformance.js';

const IP = '198.51.100.10';
const now = () => 1_700_000_001_000;
const step = (i: number, over: Partial<LeaseTransition> = {}): LeaseTransition => ({
  at: 1_700_000_000_000 + i, ip: IP, subnetId: 1, clientKey: 'hw:1:c1', from: 'bound', to: 'bound', event: 'lease.commit', xid: i, ...over,
});

/** LevelDB on a temp directory; a failing disk is a failing db.batch. */
async function levelFixture(): Promise<HistoryFixture> {
  const temp = await makeTempDir();
  const failing = new WeakSet<HistoryStore>();
  const dbOf = (store: HistoryStore) => (store as unknown as { db: LevelDatabase }).db;
  return {
    open: async ({ perLease, retentionMs, now: clock }) => {
      const store = await openLevelStore(temp.dir, {
        now: clock, history: { ...(perLease === undefined ? {} : { perLease }), ...(retentionMs === undefined ? {} : { retentionMs }) },
      });
      injectBatchFault(dbOf(store), () => (failing.has(store) ? new Error('EIO') : undefined));
      return store;
    },
    failCommits: async (store, fail) => {
      if (fail) failing.add(store);
      else failing.delete(store);
    },
    storedEntries: async (store) =>
      (await (store as unknown as { historySublevel: { keys(): { all(): Promise<string[]> } } }).historySublevel.keys().all()).length,
    dispose: () => temp.remove(),
  };
}

describeHistoryConformance('LevelDB', levelFixture);

describe('LevelDB history entries', () => {
  it('stores the transitions of one write (an offer and its ACK) as one entry, readable with single ones', async () => {
    const store = await openMemoryStore({ now, history: { perLease: 3 } });
    const keys = async () => (await (store as unknown as { db: LevelDatabase }).db.keys().all()).filter((k) => k.startsWith('!history!'));
    await store.write([{ kind: 'put', record: makeRecord(IP, 'hw:1:c1'), transitions: [step(1, { from: 'none', to: 'offered' }), step(2, { from: 'offered' })] }]);
    expect(await keys()).toHaveLength(1);
    await store.write([{ kind: 'put', record: makeRecord(IP, 'hw:1:c1'), transitions: [step(3)] }]);
    await store.write([{ kind: 'put', record: makeRecord(IP, 'hw:1:c1'), transitions: [step(4), step(5)] }]);
    expect(await keys()).toHaveLength(3);
    expect((await store.history(IP)).map((t) => t.xid)).toEqual([3, 4, 5]);
    expect((await store.history(IP, 4)).map((t) => t.xid)).toEqual([3, 4, 5]); // never more than perLease
    expect((await store.history(IP, 2)).map((t) => t.xid)).toEqual([4, 5]);
    await store.write([{ kind: 'put', record: makeRecord(IP, 'hw:1:c1'), transitions: [step(6)] }]);
    expect(await keys()).toHaveLength(3); // the oldest entry (1, 2) went in the same commit
    expect((await store.history(IP)).map((t) => t.xid)).toEqual([4, 5, 6]);
    await store.close();
  });
});

describe('HistoryRecorder', () => {
  it('carries transitions that were not written (an offer) into the next write of their address', async () => {
    const inner = await openMemoryStore({ now });
    const recorder = new HistoryRecorder(inner, () => 64);
    recorder.record(step(1, { from: 'none', to: 'offered', event: 'lease.offer' }));
    recorder.record(step(2, { from: 'offered' }));
    expect((await recorder.history(IP)).map((t) => t.xid)).toEqual([1, 2]);
    expect(await inner.history(IP)).toEqual([]);
    await recorder.write([put(makeRecord(IP, 'hw:1:c1'))]);
    expect((await inner.history(IP)).map((t) => t.xid)).toEqual([1, 2]);
    expect((await recorder.history(IP)).map((t) => t.xid)).toEqual([1, 2]);
    await inner.close();
  });

  it('keeps the transitions of a failed write for the next one, in order', async () => {
    const inner = await openMemoryStore({ now });
    let fail = true;
    injectBatchFault((inner as unknown as { db: LevelDatabase }).db, () => (fail ? new Error('EIO') : undefined));
    const recorder = new HistoryRecorder(inner, () => 64);
    recorder.record(step(1));
    await expect(recorder.write([put(makeRecord(IP, 'hw:1:c1'))])).rejects.toThrow();
    recorder.record(step(2, { event: 'lease.revert' }));
    fail = false;
    await recorder.write([put(makeRecord(IP, 'hw:1:c1'))]);
    expect((await inner.history(IP)).map((t) => t.xid)).toEqual([1, 2]);
    await inner.close();
  });

  it('gives back only what a failed write took, not the write\'s own transitions, and leaves other addresses alone', async () => {
    const inner = await openMemoryStore({ now });
    let fail = true;
    injectBatchFault((inner as unknown as { db: LevelDatabase }).db, () => (fail ? new Error('EIO') : undefined));
    const recorder = new HistoryRecorder(inner, () => 64);
    const OTHER = '198.51.100.11';
    recorder.record(step(1));
    recorder.record(step(2));
    recorder.record(step(5, { ip: OTHER }));
    const own = { kind: 'put' as const, record: makeRecord(IP, 'hw:1:c1'), transitions: [step(0)] };
    await expect(recorder.write([put(makeRecord(OTHER, 'hw:1:c2')), own])).rejects.toThrow();
    expect((await recorder.history(IP)).map((t) => t.xid)).toEqual([1, 2]);
    expect((await recorder.history(OTHER)).map((t) => t.xid)).toEqual([5]);
    fail = false;
    await recorder.write([own]);
    expect((await inner.history(IP)).map((t) => t.xid)).toEqual([0, 1, 2]);
    await recorder.write([put(makeRecord(OTHER, 'hw:1:c2'))]);
    expect((await inner.history(OTHER)).map((t) => t.xid)).toEqual([5]);
    await inner.close();
  });

  it('gives back what two writes of one failed batch took in the order it happened', async () => {
    const inner = await openMemoryStore({ now });
    let fail = true;
    injectBatchFault((inner as unknown as { db: LevelDatabase }).db, () => (fail ? new Error('EIO') : undefined));
    const recorder = new HistoryRecorder(inner, () => 64);
    recorder.record(step(1));
    recorder.record(step(2));
    const first = recorder.write([put(makeRecord(IP, 'hw:1:c1'))]);
    recorder.record(step(3));
    const second = recorder.write([put(makeRecord(IP, 'hw:1:c1'))]); // the same batch as the first
    await expect(first).rejects.toThrow();
    await expect(second).rejects.toThrow();
    expect((await recorder.history(IP)).map((t) => t.xid)).toEqual([1, 2, 3]);
    fail = false;
    await recorder.write([put(makeRecord(IP, 'hw:1:c1'))]);
    expect((await inner.history(IP)).map((t) => t.xid)).toEqual([1, 2, 3]);
    await inner.close();
  });

  it('bounds what waits in all: the addresses that began waiting first lose theirs, counted (offers nobody REQUESTs)', async () => {
    const inner = await openMemoryStore({ now });
    const recorder = new HistoryRecorder(inner, () => 64, 5);
    const at = (n: number) => `198.51.100.${n}`;
    // Offered and reclaimed, never written: without the bound in all they would wait for good.
    for (let n = 1; n <= 3; n++) {
      recorder.record(step(2 * n, { ip: at(n), from: 'reclaimed', to: 'offered', event: 'lease.offer' }));
      recorder.record(step(2 * n + 1, { ip: at(n), from: 'offered', to: 'reclaimed', event: 'timer.offer-hold' }));
    }
    expect(recorder.pendingStats()).toEqual({ addresses: 2, transitions: 4, dropped: 2 });
    expect(await recorder.history(at(1))).toEqual([]);
    expect((await recorder.history(at(3))).map((t) => t.xid)).toEqual([6, 7]);
    // Written transitions leave the count; the bound counts only what waits.
    await recorder.write([put(makeRecord(at(2), 'hw:1:c1'))]);
    expect(recorder.pendingStats()).toEqual({ addresses: 1, transitions: 2, dropped: 2 });
    expect((await inner.history(at(2))).map((t) => t.xid)).toEqual([4, 5]);
    await inner.close();
  });

  it('bounds what waits per address', async () => {
    const inner = await openMemoryStore({ now });
    const recorder = new HistoryRecorder(inner, () => 3);
    for (let i = 0; i < 10; i++) recorder.record(step(i));
    expect((await recorder.history(IP)).map((t) => t.xid)).toEqual([7, 8, 9]);
    expect(recorder.pendingStats()).toEqual({ addresses: 1, transitions: 3, dropped: 0 });
    await inner.close();
  });
});
