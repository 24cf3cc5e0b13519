// Property: however writes are grouped into concurrent calls and batches, the store ends up where applying them
// one by one to a plain model does, with one key per lease (no by-client index).
import fc from 'fast-check';
import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import type { LeaseRecord } from '../../../machines/lease.types.js';
import { LevelLeaseStore } from '../../../src/store/level-store.js';
import type { LeaseWrite } from '../../../src/store/types.js';
import { collect, makeRecord } from './helpers.js';

const IPS = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4'];
const CLIENTS = ['a', 'b', 'c'];

const writeArb: fc.Arbitrary<LeaseWrite> = fc.oneof(
  fc
    .record({ ip: fc.constantFrom(...IPS), client: fc.constantFrom(...CLIENTS), subnetId: fc.constantFrom(1, 2) })
    .map(({ ip, client, subnetId }) => ({ kind: 'put' as const, record: makeRecord(ip, client, { subnetId }) })),
  fc.constantFrom(...IPS).map((ip) => ({ kind: 'delete' as const, ip })),
);

/** The one-write-at-a-time reference. */
class Model {
  readonly leases = new Map<string, LeaseRecord>();

  apply(write: LeaseWrite): void {
    if (write.kind === 'put') this.leases.set(write.record.context.ip, write.record);
    else this.leases.delete(write.ip);
  }
}

describe('batch planning', () => {
  it('matches the sequential model for any grouping of concurrent writes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.array(writeArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 }), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.integer({ min: 1, max: 5 }),
        async (rounds, maxBatch) => {
          const db = new MemoryLevel<string, string>();
          const store = new LevelLeaseStore(db, { maxBatch });
          await store.open();
          const model = new Model();
          for (const calls of rounds) {
            await Promise.all(calls.map((writes) => store.write(writes)));
            for (const writes of calls) for (const write of writes) model.apply(write);
          }
          const loaded = await collect(store.loadAll());
          expect(loaded).toEqual([...model.leases.values()].sort((x, y) => x.context.ip.localeCompare(y.context.ip)));
          const leaseKeys = (await db.keys().all()).filter((key) => key.startsWith('!lease!'));
          expect(leaseKeys).toHaveLength(model.leases.size);
          expect((await db.keys().all()).filter((key) => key.startsWith('!client!'))).toEqual([]);
          await store.close();
        },
      ),
      { numRuns: 300 },
    );
  });
});
