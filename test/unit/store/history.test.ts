// Lease history in LevelDB: written in the lease's own batch (one sync), bounded per address, swept by age,
// readable after a restart; the recorder carries unstored transitions (offers) into the next write.
import { describe, expect, it } from 'vitest';
import type { LeaseTransition } from '../../../src/leases/transition.js';
import { HistoryRecorder } from '../../../src/store/history-recorder.js';
import { openLevelStore, openMemoryStore } from '../../../src/store/open.js';
import type { LevelDatabase } from '../../../src/store/level-store.js';
import { injectBatchFault, makeRecord, makeTempDir, put } from './helpers.js';

const IP = '198.51.100.10';
const now = () => 1_700_000_001_000;
const step = (i: number, over: Partial<LeaseTransition> = {}): LeaseTransition => ({
  at: 1_700_000_000_000 + i, ip: IP, subnetId: 1, clientKey: 'hw:1:c1', from: 'bound', to: 'bound', event: 'lease.commit', xid: i, ...over,
});
const withHistory = (transitions: LeaseTransition[], ip = IP) => ({ ...put(makeRecord(ip, 'hw:1:c1')), transitions });

/** Counts synced batches on the database. */
function countBatches(db: LevelDatabase): { count: number } {
  const counter = { count: 0 };
  injectBatchFault(db, () => {
    counter.count++;
    return undefined;
  });
  return counter;
}

describe('lease history in the LevelDB store', () => {
  it('stores transitions with their lease in one batch and reads them back after a restart', async () => {
    const temp = await makeTempDir();
    try {
      const store = await openLevelStore(temp.dir, { now });
      const batches = countBatches((store as unknown as { db: LevelDatabase }).db);
      await store.write([withHistory([step(1, { from: 'none', to: 'offered', event: 'lease.offer' }), step(2, { from: 'offered' })])]);
      expect(batches.count).toBe(1);
      await store.write([withHistory([step(3)]), withHistory([step(4, { ip: '198.51.100.11' })], '198.51.100.11')]);
      expect(batches.count).toBe(2);
      await store.close();

      const again = await openLevelStore(temp.dir, { now });
      try {
        expect((await again.history(IP)).map((t) => t.xid)).toEqual([1, 2, 3]);
        expect(await again.history('198.51.100.11')).toEqual([step(4, { ip: '198.51.100.11' })]);
        expect(await again.history('198.51.100.12')).toEqual([]);
        expect((await again.history(IP, 2)).map((t) => t.xid)).toEqual([2, 3]);
        // Appends after a restart continue the sequence (found on disk, not in memory).
        await again.write([withHistory([step(5)])]);
        expect((await again.history(IP)).map((t) => t.xid)).toEqual([1, 2, 3, 5]);
      } finally {
        await again.close();
      }
    } finally {
      await temp.remove();
    }
  });

  it('keeps at most perLease transitions per address, the newest', async () => {
    const store = await openMemoryStore({ history: { perLease: 4 }, now });
    for (let i = 0; i < 10; i++) await store.write([withHistory([step(i)])]);
    await store.write([withHistory([step(10), step(11), step(12), step(13), step(14), step(15)])]);
    expect((await store.history(IP, 100)).map((t) => t.xid)).toEqual([12, 13, 14, 15]);
    const keys = await (store as unknown as { historySublevel: { keys(): { all(): Promise<string[]> } } }).historySublevel.keys().all();
    expect(keys).toHaveLength(4);
    await store.close();
  });

  it('a failed batch stores neither lease nor history, and the next write keeps the bound', async () => {
    const store = await openMemoryStore({ history: { perLease: 3 }, now });
    let fail = false;
    injectBatchFault((store as unknown as { db: LevelDatabase }).db, () => (fail ? new Error('EIO') : undefined));
    for (let i = 0; i < 3; i++) await store.write([withHistory([step(i)])]);
    fail = true;
    await expect(store.write([withHistory([step(3)])])).rejects.toThrow();
    fail = false;
    await store.write([withHistory([step(4)])]);
    expect((await store.history(IP)).map((t) => t.xid)).toEqual([1, 2, 4]);
    await store.close();
  });

  it('sweeps transitions older than the retention at the first commit', async () => {
    let time = 1_700_000_000_000 + 10 * 86_400_000;
    const store = await openMemoryStore({ history: { retentionMs: 86_400_000 }, now: () => time });
    await store.write([withHistory([step(1), step(2, { at: time - 1000 })])]);
    await (store as unknown as { sweeping: Promise<void> }).sweeping;
    expect((await store.history(IP)).map((t) => t.xid)).toEqual([2]);
    time += 2 * 86_400_000;
    await store.write([withHistory([step(3, { at: time })])]);
    await (store as unknown as { sweeping: Promise<void> }).sweeping;
    expect((await store.history(IP)).map((t) => t.xid)).toEqual([3]);
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

  it('bounds what waits per address', async () => {
    const inner = await openMemoryStore({ now });
    const recorder = new HistoryRecorder(inner, () => 3);
    for (let i = 0; i < 10; i++) recorder.record(step(i));
    expect((await recorder.history(IP)).map((t) => t.xid)).toEqual([7, 8, 9]);
    await inner.close();
  });
});
