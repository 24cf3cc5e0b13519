// A table loaded whole with the indexes the snapshot's reading thread computed (checked-columns.ts) gives the very
// book the indexes built here give: the same leases, clients, offers, and timers firing the same way, also when the
// table changed between the indexing and the load (a delta file's or journal's replay).
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LeaseEvent } from '../../../machines/lease.machine.js';
import type { LeaseRecord } from '../../../machines/lease.types.js';
import { PackedLeases } from '../../../src/lease-columns/packed-leases.js';
import type { LeaseBook, LeaseChange } from '../../../src/leases/lease-book.js';
import { checkAndIndex } from '../../../src/store/checked-columns.js';
import { PROBATION_MS, TIMES } from '../machines/lease-fixtures.js';
import { setup } from './book-fixtures.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 100);

const IPS = Array.from({ length: 12 }, (_, i) => (i < 6 ? `198.51.100.${i + 1}` : `203.0.113.${i - 5}`));
const subnetOf = (ip: string): number => (ip.startsWith('198.') ? 1 : 2);
const CLIENTS = ['c0', 'c1', 'c2', 'c3'];
type Kind = 'commit' | 'release' | 'decline' | 'withdraw';

type Op =
  | { readonly op: 'offer'; readonly ip: number; readonly client: number }
  | { readonly op: 'send'; readonly ip: number; readonly kind: Kind }
  | { readonly op: 'advance'; readonly ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('offer' as const), ip: fc.nat(IPS.length - 1), client: fc.nat(CLIENTS.length - 1) }),
  fc.record({ op: fc.constant('send' as const), ip: fc.nat(IPS.length - 1), kind: fc.constantFrom<Kind>('commit', 'release', 'decline', 'withdraw') }),
  fc.record({ op: fc.constant('advance' as const), ms: fc.oneof(fc.nat(120_000), fc.nat(2 * PROBATION_MS)) }),
);

/** Runs the operations on a source book; its leases afterwards. */
function run(source: ReturnType<typeof setup>, ops: readonly Op[]): LeaseRecord[] {
  const { book, clock, input } = source;
  for (const op of ops) {
    if (op.op === 'advance') {
      clock.advance(op.ms);
    } else if (op.op === 'offer') {
      const ip = IPS[op.ip]!;
      if (!book.isTaken(ip)) book.offer(input(ip, CLIENTS[op.client]!, subnetOf(ip)));
    } else {
      const now = clock.now();
      const events: Record<Kind, LeaseEvent> = {
        commit: { type: 'lease.commit', now, ...TIMES },
        release: { type: 'lease.release', now },
        decline: { type: 'lease.decline', now, probationMs: PROBATION_MS },
        withdraw: { type: 'lease.withdraw', now },
      };
      book.send(IPS[op.ip]!, events[op.kind]);
    }
  }
  return [...book.values()];
}

/** The table of `before`, then changed to `after` lease by lease, indexed here or in the reading thread's way. */
function tableOf(before: readonly LeaseRecord[], after: readonly LeaseRecord[], indexed: boolean): PackedLeases {
  const packed = new PackedLeases();
  for (const record of before) expect(packed.pack(record)).toBe(true);
  const columns = packed.columns();
  const table = PackedLeases.fromColumns(columns, indexed ? checkAndIndex(columns, true) : undefined);
  const kept = new Set(after.map((record) => record.context.ip));
  for (const record of before) if (!kept.has(record.context.ip)) table.delete(ipNumber(record.context.ip));
  // Only what changed, as a replay does: the leases left alone keep the indexes the reading thread made.
  const was = new Map(before.map((record) => [record.context.ip, record]));
  for (const record of after) if (!isDeepStrictEqual(was.get(record.context.ip), record)) expect(table.pack(record)).toBe(true);
  return table;
}

const ipNumber = (ip: string): number => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0) >>> 0;

/**
 * What a request can see of the book: its leases, each client's current one, the offers held. Of a client's leases
 * equally live and changed at the same moment, either is current (the index's order decides): so the current one is
 * told by its state and time.
 */
function viewOf(book: LeaseBook): unknown {
  const leases = [...book.values()].sort((a, b) => ipNumber(a.context.ip) - ipNumber(b.context.ip));
  const current = [1, 2].flatMap((subnet) => CLIENTS.map((client) => {
    const lease = book.currentLeaseOf(subnet, client);
    return lease === undefined ? undefined : `${lease.state} ${lease.context.changedAt}`;
  }));
  const offers = [1, 2].map((subnet) => [...book.offeredOldestFirst(subnet)].sort());
  return { leases, current, offers, clientEntries: clientEntriesOf(book) };
}

/**
 * The client index's entries: an entry left behind for an address a replay gave to another client is invisible to
 * lookups (each candidate is checked) but would stay for good, so the count is compared too (private: no API has it).
 */
const clientEntriesOf = (book: LeaseBook): number => (book as unknown as { byClient: { byHash: { size: number } } }).byClient.byHash.size;

const changeOf = (change: LeaseChange): string => `${change.after.context.ip} ${change.before?.state}→${change.after.state}`;

describe('a table loaded with the reading thread\'s indexes', () => {
  it('makes the same book as indexes built at the load, after any changes since the indexing', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 30 }), fc.array(opArb, { maxLength: 15 }), fc.array(fc.nat(2 * PROBATION_MS), { maxLength: 6 }), (first, then, steps) => {
      const source = setup();
      const before = run(source, first);
      const after = run(source, then);
      const books = [false, true].map((indexed) => {
        const loaded = setup();
        loaded.clock.advance(source.clock.now() - loaded.clock.now());
        loaded.book.loadPacked(tableOf(before, after, indexed));
        return loaded;
      });
      const [built, adopted] = books as [ReturnType<typeof setup>, ReturnType<typeof setup>];
      expect(viewOf(adopted.book)).toEqual(viewOf(built.book));
      for (const ms of [...steps, 4 * PROBATION_MS]) {
        for (const { clock } of books) clock.advance(ms);
        expect(adopted.changes.map(changeOf).sort()).toEqual(built.changes.map(changeOf).sort());
        expect(viewOf(adopted.book)).toEqual(viewOf(built.book));
      }
      for (const { book } of books) book.stop();
    }), { numRuns: RUNS });
  });

  it('a lease with a timer that never falls due beside one that does: the one that does fires', () => {
    const source = setup();
    const [bound] = run(source, [{ op: 'offer', ip: 0, client: 0 }, { op: 'send', ip: 0, kind: 'commit' }]);
    const record = { ...bound!, timers: [...bound!.timers, { event: 'lease.never', at: Number.POSITIVE_INFINITY }] };
    const books = [false, true].map((indexed) => {
      const loaded = setup();
      loaded.book.loadPacked(tableOf([record], [record], indexed));
      loaded.clock.advance(4 * PROBATION_MS);
      return loaded;
    });
    expect(books[0]!.changes.length).toBeGreaterThan(0);
    expect(books[1]!.changes.map(changeOf)).toEqual(books[0]!.changes.map(changeOf));
  });

  it('the columns it came from are checked alike: a repeated timer event name is refused', () => {
    const packed = new PackedLeases();
    const source = setup();
    const [record] = run(source, [{ op: 'offer', ip: 0, client: 0 }, { op: 'send', ip: 0, kind: 'commit' }]);
    expect(packed.pack(record!)).toBe(true);
    const columns = packed.columns();
    expect(() => checkAndIndex({ ...columns, events: [...columns.events, columns.events[0]!] }, true)).toThrow(/repeat/);
  });
});
