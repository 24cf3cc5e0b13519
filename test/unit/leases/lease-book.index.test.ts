// The lease book's client index: it names the client's current lease whatever the order of changes, timers,
// undos and rehydration (checked by example and by random operation sequences against a model).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LeaseEvent } from '../../../machines/lease.machine.js';
import type { LeaseRecord } from '../../../machines/lease.types.js';
import type { LeaseBook, LeaseChange } from '../../../src/leases/lease-book.js';
import { isFinal } from '../../../src/leases/states.js';
import { PROBATION_MS, TIMES } from '../machines/lease-fixtures.js';
import { A, B, C, setup } from './book-fixtures.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);

describe('the client index follows the client\'s current lease', () => {
  it('a declined address reclaimed after probation does not hide the client\'s newer bound lease', () => {
    const { book, clock, input, ev } = setup();
    book.offer(input(A, 'c1'));
    book.send(A, ev.commit());
    book.send(A, ev.decline()); // RFC 2131 §4.3.3: the client found A in use and asks again
    clock.advance(1_000);
    book.offer(input(B, 'c1'));
    book.send(B, ev.commit());
    // To the end of A's probation: B was last changed at its T2 (earlier), so "last written" would say A.
    clock.advance(PROBATION_MS - 1_000);
    expect(book.get(B)!.state).toBe('rebinding');
    expect(book.get(A)!.state).toBe('reclaimed');
    expect(book.currentLeaseOf(1, 'c1')?.context.ip).toBe(B);
  });

  it('rehydration in address order does not let an old released lease hide a bound one', () => {
    const source = setup();
    source.book.offer(source.input(C, 'c1'));
    source.book.send(C, source.ev.commit());
    source.book.send(C, source.ev.release());
    source.clock.advance(1_000);
    source.book.offer(source.input(A, 'c1'));
    source.book.send(A, source.ev.commit());
    const records = [...source.book.values()].sort((x, y) => x.context.ip.localeCompare(y.context.ip));

    const { book } = setup();
    for (const record of records) book.restore(record); // the store loads by address: A, then C
    expect(book.currentLeaseOf(1, 'c1')?.context.ip).toBe(A);
    expect(book.currentLeaseOf(1, 'c1')?.state).toBe('bound');
  });
});

type Op =
  | { readonly op: 'offer'; readonly ip: number; readonly client: number }
  | { readonly op: 'send'; readonly ip: number; readonly kind: 'commit' | 'release' | 'decline' | 'withdraw' }
  | { readonly op: 'revert'; readonly pick: number }
  | { readonly op: 'restore'; readonly pick: number }
  | { readonly op: 'advance'; readonly ms: number };

const IPS = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '203.0.113.1', '203.0.113.2'];
const subnetOf = (ip: string): number => (ip.startsWith('198.') ? 1 : 2);
const CLIENTS = ['c0', 'c1', 'c2'];

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('offer' as const), ip: fc.nat(IPS.length - 1), client: fc.nat(CLIENTS.length - 1) }),
  fc.record({
    op: fc.constant('send' as const), ip: fc.nat(IPS.length - 1),
    kind: fc.constantFrom('commit' as const, 'release' as const, 'decline' as const, 'withdraw' as const),
  }),
  fc.record({ op: fc.constant('revert' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('restore' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('advance' as const), ms: fc.oneof(fc.nat(120_000), fc.nat(2 * PROBATION_MS)) }),
);

/** What currentLeaseOf must return, computed from the records alone: live before finished, then latest. */
function expectIndexConsistent(book: LeaseBook): void {
  // Reads see leases as of now without changing them; let the schedule apply every due timer first.
  book.settleDue(Number.POSITIVE_INFINITY);
  const records = [...book.values()];
  for (const record of records) {
    // The stored record; a packed one (every bound lease rests packed) is built anew for each read.
    expect(book.get(record.context.ip)).toEqual(record);
    expect(book.isTaken(record.context.ip)).toBe(!isFinal(record.state));
  }
  const live = (r: LeaseRecord) => !isFinal(r.state) && r.state !== 'declined';
  for (const subnetId of [1, 2]) {
    for (const client of CLIENTS) {
      const mine = records.filter((r) => r.context.clientKey === client && r.context.subnetId === subnetId);
      const found = book.currentLeaseOf(subnetId, client);
      if (mine.length === 0) {
        expect(found).toBeUndefined();
        continue;
      }
      const pool = mine.some(live) ? mine.filter(live) : mine;
      const latest = Math.max(...pool.map((r) => r.context.changedAt));
      expect(found === undefined ? undefined : pool.some((r) => r.context.ip === found.context.ip)).toBe(true);
      expect(found!.context.changedAt).toBe(latest);
    }
  }
}

describe('reads see leases as of now', () => {
  it('a restored lease whose timers fell due is settled on read, before the schedule gets to it', () => {
    const { book, clock, input } = setup();
    const ip = IPS[0]!;
    book.offer(input(ip, CLIENTS[0]!, subnetOf(ip)));
    const bound = book.send(ip, { type: 'lease.commit', now: clock.now(), ...TIMES })!.after;
    book.stop(); // no schedule: only the read can settle it
    const later = setup();
    later.clock.advance(bound.context.expiresAt - later.clock.now() + 1);
    later.book.restore(bound);
    later.book.stop();
    expect(later.book.get(ip)?.state).toBe('expired');
    expect(later.book.isTaken(ip)).toBe(true);
    later.clock.advance(bound.context.graceUntil - bound.context.expiresAt);
    expect(later.book.isTaken(ip)).toBe(false);
  });
});

describe('index consistency under random operations', () => {
  it('by address and by client after any mix of offer, events, timers, revert and restore', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
      const { book, clock, input } = setup();
      const changes: LeaseChange[] = [];
      const seen: LeaseRecord[] = [];
      const now = clock.now.bind(clock);
      for (const op of ops) {
        if (op.op === 'offer') {
          const ip = IPS[op.ip]!;
          if (!book.isTaken(ip)) changes.push(book.offer(input(ip, CLIENTS[op.client]!, subnetOf(ip))));
        } else if (op.op === 'send') {
          const events: Record<typeof op.kind, LeaseEvent> = {
            commit: { type: 'lease.commit', now: now(), ...TIMES },
            release: { type: 'lease.release', now: now() },
            decline: { type: 'lease.decline', now: now(), probationMs: PROBATION_MS },
            withdraw: { type: 'lease.withdraw', now: now() },
          };
          const change = book.send(IPS[op.ip]!, events[op.kind]);
          if (change !== undefined) changes.push(change);
        } else if (op.op === 'revert' && changes.length > 0) {
          book.revert(changes[op.pick % changes.length]!);
        } else if (op.op === 'restore' && seen.length > 0) {
          book.restore(seen[op.pick % seen.length]!);
        } else if (op.op === 'advance') {
          clock.advance(op.ms);
        }
        seen.push(...book.values());
        expectIndexConsistent(book);
      }
    }), { numRuns: RUNS });
  });
});
