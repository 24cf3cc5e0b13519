// Property: however writes are grouped into concurrent calls and batches, the store ends up where applying them
// one by one to a plain model does, with one key per lease (no by-client index); and a plan is what a Map-based one is.
import fc from 'fast-check';
import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import type { LeaseRecord, LeaseTransition } from '../../../machines/lease.types.js';
import { planBatch } from '../../../src/store/batch-plan.js';
import { ipToUint32 } from '../../../src/store/keys.js';
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

  it('plans as a Map would for batches of any size, repeats included (the slot table grows and starts afresh)', () => {
    const ipOf = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
    // Addresses from 128.0.0.0 (negative as int32) and below, few enough that batches repeat some.
    const address = fc.oneof(fc.integer({ min: 0x80000000, max: 0x800001ff }), fc.integer({ min: 0x0a000000, max: 0x0a0001ff }));
    const write = fc.record({ n: address, put: fc.boolean(), t: fc.option(fc.nat({ max: 9 }), { nil: undefined }) }).map(({ n, put, t }): LeaseWrite =>
      put ? { kind: 'put', record: makeRecord(ipOf(n), `c${n}`), ...(t === undefined ? {} : { transitions: [{ at: t, ip: ipOf(n), subnetId: 1, clientKey: `c${n}`, from: 'a', to: 'b', event: 'e', xid: t }] }) }
        : { kind: 'delete', ip: ipOf(n) });
    fc.assert(fc.property(fc.array(fc.array(write, { maxLength: 1500 }), { minLength: 1, maxLength: 4 }), (batches) => {
      for (const writes of batches) {
        const plan = planBatch(writes);
        const slots = new Map<number, number>();
        const expected = { ips: [] as number[], records: [] as (LeaseRecord | null)[], transitions: [] as (readonly LeaseTransition[] | undefined)[] };
        for (const w of writes) {
          const ip = ipToUint32(w.kind === 'put' ? w.record.context.ip : w.ip)!;
          const t = w.kind === 'put' && w.transitions !== undefined && w.transitions.length > 0 ? w.transitions : undefined;
          const slot = slots.get(ip);
          if (slot === undefined) {
            slots.set(ip, expected.ips.length);
            expected.ips.push(ip);
            expected.records.push(w.kind === 'put' ? w.record : null);
            expected.transitions.push(t);
          } else {
            expected.records[slot] = w.kind === 'put' ? w.record : null;
            const before = expected.transitions[slot];
            if (t !== undefined) expected.transitions[slot] = before === undefined ? t : [...before, ...t];
          }
        }
        expect(plan).toEqual(expected);
      }
    }), { numRuns: 60 });
  });
});
