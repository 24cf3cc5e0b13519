// The store remembers what it committed and loaded, so a batch after a full loadAll reads nothing before writing;
// with or without that memory (loads at any point, failed batches) the stored leases and history are the same.
import fc from 'fast-check';
import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { IntMultimap } from '../../../src/collections/int-multimap.js';
import { CommittedMemo, NOT_STORED, STORED, UNKNOWN } from '../../../src/store/committed-memo.js';
import type { LeaseColumns } from '../../../src/lease-columns/packed-leases.js';
import type { HistoryRange } from '../../../src/store/lease-value.js';
import { LevelLeaseStore } from '../../../src/store/level-store.js';
import type { LeaseWrite } from '../../../src/store/types.js';
import { collect, del, injectBatchFault, makeRecord, put, testIp, clientLease } from './helpers.js';

type GetMany = (keys: string[], options?: unknown) => Promise<unknown>;

/** Counts the database reads made through the root's getMany (sublevels read through it). */
function countReads(db: MemoryLevel<string, string>): { readonly count: number } {
  const root = db as unknown as { getMany: GetMany };
  const original = root.getMany.bind(db);
  const counter = { count: 0 };
  root.getMany = (keys, options) => {
    counter.count += keys.length;
    return original(keys, options);
  };
  return counter;
}

/** Counts the iterators opened on the database (sublevels open theirs through the root): history range reads. */
function countIterators(db: MemoryLevel<string, string>): { readonly count: number } {
  const root = db as unknown as Record<'iterator' | 'keys' | 'values', (options?: unknown) => unknown>;
  const counter = { count: 0 };
  for (const method of ['iterator', 'keys', 'values'] as const) {
    const original = root[method].bind(db);
    root[method] = (options) => {
      counter.count++;
      return original(options);
    };
  }
  return counter;
}

/** Every key and value but the store's random id. */
async function dump(db: MemoryLevel<string, string>): Promise<[string, string][]> {
  return (await db.iterator().all()).filter(([key]) => key !== '!meta!id');
}

describe('committed memo', () => {
  it('after a full loadAll, fresh addresses and renewals are written without reading the database', async () => {
    const db = new MemoryLevel<string, string>();
    const first = new LevelLeaseStore(db);
    await first.open();
    await first.write(Array.from({ length: 50 }, (_, i) => put(makeRecord(testIp(i), `c${i}`))));
    await first.close();

    const store = new LevelLeaseStore(db);
    await store.open();
    expect(await collect(store.loadAll())).toHaveLength(50);
    const reads = countReads(db);
    await store.write([put(makeRecord(testIp(100), 'new'))]); // a fresh address
    await store.write([put(makeRecord(testIp(3), 'c3', { state: 'renewing' }))]); // a renewal
    await store.write([put(makeRecord(testIp(4), 'other'))]); // an address taken over by another client
    expect(reads.count).toBe(0);
    expect(await clientLease(store, 1, 'c4')).toBeUndefined();
    await store.close();
  });

  it('after a full loadAll, history appends read neither the lease nor the history keys', async () => {
    const db = new MemoryLevel<string, string>();
    const first = new LevelLeaseStore(db);
    await first.open();
    const transition = (ip: string, xid: number) =>
      ({ at: Date.now(), ip, subnetId: 1, clientKey: 'c', from: 'offered', to: 'bound', event: 'lease.commit', xid });
    await first.write([{ kind: 'put' as const, record: makeRecord(testIp(1), 'c'), transitions: [transition(testIp(1), 1)] }]);
    await first.close();

    const store = new LevelLeaseStore(db);
    await store.open();
    await collect(store.loadAll());
    // The first commit starts the hourly sweep of old history (a scan in the background): let it finish first.
    await store.write([put(makeRecord(testIp(9), 'c9'))]);
    await (store as unknown as { sweeping: Promise<void> }).sweeping;
    const reads = countReads(db);
    const iterators = countIterators(db);
    await store.write([{ kind: 'put' as const, record: makeRecord(testIp(1), 'c'), transitions: [transition(testIp(1), 2)] }]); // known address
    await store.write([{ kind: 'put' as const, record: makeRecord(testIp(2), 'c'), transitions: [transition(testIp(2), 3)] }]); // fresh address
    await store.write([{ kind: 'put' as const, record: makeRecord(testIp(2), 'c'), transitions: [transition(testIp(2), 4)] }]);
    expect({ reads: reads.count, iterators: iterators.count }).toEqual({ reads: 0, iterators: 0 });
    expect((await store.history(testIp(1))).map((t) => t.xid)).toEqual([1, 2]);
    expect((await store.history(testIp(2))).map((t) => t.xid)).toEqual([3, 4]);
    await store.close();
  });

  it('reads again after a failed batch', async () => {
    const db = new MemoryLevel<string, string>();
    const store = new LevelLeaseStore(db);
    await store.open();
    await collect(store.loadAll());
    let fail = true;
    injectBatchFault(db, () => (fail ? new Error('IO error') : undefined));
    await expect(store.write([put(makeRecord(testIp(1), 'a'))])).rejects.toBeDefined();
    fail = false;
    const reads = countReads(db);
    await store.write([put(makeRecord(testIp(1), 'a'))]);
    expect(reads.count).toBeGreaterThan(0);
    await store.close();
  });

  it('stores the same leases and history as a store that always reads, with loads at any point', async () => {
    const ips = [testIp(1), testIp(2), testIp(3)];
    const writeArb: fc.Arbitrary<LeaseWrite> = fc.oneof(
      fc.record({ ip: fc.constantFrom(...ips), client: fc.constantFrom('a', 'b', 'c') }).map(({ ip, client }) => put(makeRecord(ip, client))),
      fc.constantFrom(...ips).map(del),
    );
    await fc.assert(fc.asyncProperty(fc.array(fc.record({ writes: fc.array(writeArb, { minLength: 1, maxLength: 4 }), load: fc.boolean() }), { minLength: 1, maxLength: 8 }),
      async (rounds) => {
        const remembering = new MemoryLevel<string, string>();
        const reading = new MemoryLevel<string, string>();
        const store = new LevelLeaseStore(remembering);
        await store.open();
        for (const { writes, load } of rounds) {
          if (load) await collect(store.loadAll());
          await store.write(writes);
          // A new instance per batch knows nothing and reads everything it needs.
          const fresh = new LevelLeaseStore(reading);
          await fresh.open();
          await fresh.write(writes);
          await fresh.close();
          await reading.open();
        }
        expect(await dump(remembering)).toEqual(await dump(reading));
        await store.close();
      }), { numRuns: 150 });
  });
});

describe('CommittedMemo restored from a snapshot', () => {
  // The address → slot index built by the memo, or by the thread that read the snapshot (checked-columns.ts).
  it.each(['built here', 'adopted'])('keeps the restored ranges and those of addresses stored since, freed slots reused (index %s)', (index) => {
    const count = 3000;
    const ips = Uint32Array.from({ length: count }, (_, i) => 0xc6120000 + i);
    const ranges = Float64Array.from({ length: 2 * count }, (_, i) => (i % 2 === 0 ? i : i + 1));
    ranges[2 * 7] = Number.NaN; // a lease without a range
    const memo = new CommittedMemo();
    const columns = { count, ips } as unknown as LeaseColumns;
    if (index === 'built here') {
      memo.restore({ columns, ranges });
    } else {
      const slots = new IntMultimap(count);
      ips.forEach((ip, i) => slots.add(ip, i));
      memo.restore({ columns, ranges, slots: slots.image() });
    }
    const expected = new Map<number, HistoryRange | undefined | null>();
    for (let i = 0; i < count; i++) expected.set(0xc6120000 + i, i === 7 ? undefined : { first: 2 * i, next: 2 * i + 2 });
    // New addresses (past the restored slots), a deleted restored one whose slot a new address takes, a rewrite.
    for (let i = 0; i < 5000; i++) {
      memo.stored(0xcb007100 + i, { first: i, next: i + 1 });
      expected.set(0xcb007100 + i, { first: i, next: i + 1 });
    }
    memo.deleted(0xc6120005);
    expected.set(0xc6120005, null);
    memo.stored(0xcb00ff00, undefined);
    expected.set(0xcb00ff00, undefined);
    memo.stored(0xc6120009, { first: 90, next: 99 });
    expected.set(0xc6120009, { first: 90, next: 99 });
    const out = new Float64Array(4);
    for (const [ip, range] of expected) {
      const got = memo.get(ip);
      expect(range === null ? got : got?.history).toEqual(range);
      // lookup says the same without objects: the range as numbers (first NaN: stored without one).
      out.fill(-1);
      expect(memo.lookup(ip, out, 2)).toBe(range === null ? NOT_STORED : STORED);
      if (range === undefined) expect(out[2]).toBeNaN();
      else if (range !== null) expect([out[2], out[3]]).toEqual([range.first, range.next]);
    }
    expect(memo.get(0x0a000001)).toBeNull(); // restored: it knows every stored address
    expect(memo.lookup(0x0a000001, out, 0)).toBe(NOT_STORED);
    memo.forget();
    expect(memo.lookup(0xc6120009, out, 0)).toBe(UNKNOWN);
  });
});
