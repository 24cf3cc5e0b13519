// The in-memory lease table: indexes by address and by client, timers through the shared schedule, undo.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LeaseEvent, LeaseInput } from '../../../machines/lease.machine.js';
import type { LeaseRecord } from '../../../machines/lease.types.js';
import { ManualClock } from '../../../src/clock.js';
import { LeaseBook, type LeaseChange } from '../../../src/leases/lease-book.js';
import { isFinal } from '../../../src/leases/lease-runner.js';
import { HOLD_MS, PROBATION_MS, T0, TIMES } from '../machines/lease-fixtures.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);

function setup() {
  const clock = new ManualClock(T0);
  const changes: LeaseChange[] = [];
  const book = new LeaseBook({ clock, onTimerChange: (c) => changes.push(c), yieldFn: (next) => next() });
  const input = (ip: string, client: string, subnetId = 1): LeaseInput => ({
    ip, subnetId, clientKey: client, hwAddress: '02:00:00:00:00:01', now: clock.now(), holdMs: HOLD_MS,
  });
  const now = () => clock.now();
  const ev = {
    commit: (): LeaseEvent => ({ type: 'lease.commit', now: now(), ...TIMES }),
    release: (): LeaseEvent => ({ type: 'lease.release', now: now() }),
    decline: (): LeaseEvent => ({ type: 'lease.decline', now: now(), probationMs: PROBATION_MS }),
    withdraw: (): LeaseEvent => ({ type: 'lease.withdraw', now: now() }),
  };
  return { clock, book, changes, input, ev };
}

const A = '198.51.100.10';
const B = '198.51.100.11';
const C = '198.51.100.12';

describe('LeaseBook basics', () => {
  it('an offer takes the address and indexes it by client; a second offer of it is a programming error', () => {
    const { book, input } = setup();
    const change = book.offer(input(A, 'c1'));
    expect(change.before).toBeUndefined();
    expect(change.after.state).toBe('offered');
    expect(book.get(A)).toBe(change.after);
    expect(book.forClient(1, 'c1')).toBe(change.after);
    expect(book.forClient(2, 'c1')).toBeUndefined();
    expect(book.isTaken(A)).toBe(true);
    expect(() => book.offer(input(A, 'c2'))).toThrow(TypeError);
  });

  it('isTaken is false for released and reclaimed addresses and true while declined', () => {
    const { book, clock, input, ev } = setup();
    book.offer(input(A, 'c1'));
    book.send(A, ev.commit());
    book.send(A, ev.release());
    expect(book.get(A)!.state).toBe('released');
    expect(book.isTaken(A)).toBe(false);

    book.offer(input(B, 'c2'));
    book.send(B, ev.commit());
    book.send(B, ev.decline());
    expect(book.isTaken(B)).toBe(true);
    clock.advance(PROBATION_MS);
    expect(book.get(B)!.state).toBe('reclaimed');
    expect(book.isTaken(B)).toBe(false);
    expect(book.isTaken(C)).toBe(false);
  });

  it('a freed address can be offered to another client, who then owns the index entry', () => {
    const { book, input, ev } = setup();
    book.offer(input(A, 'c1'));
    book.send(A, ev.withdraw());
    const change = book.offer(input(A, 'c2'));
    expect(change.before?.state).toBe('reclaimed');
    expect(book.forClient(1, 'c2')?.context.ip).toBe(A);
    expect(book.forClient(1, 'c1')).toBeUndefined();
    expect(book.size).toBe(1);
  });

  it('send returns undefined for an unknown address or a refused event, and changes nothing', () => {
    const { book, input, ev } = setup();
    expect(book.send(A, ev.commit())).toBeUndefined();
    const offered = book.offer(input(A, 'c1')).after;
    expect(book.send(A, ev.release())).toBeUndefined();
    expect(book.get(A)).toBe(offered);
  });
});

describe('timers through the shared schedule', () => {
  it('moves a lease through T1, T2, expiry and grace, reporting each change', () => {
    const { book, clock, changes, input, ev } = setup();
    book.offer(input(A, 'c1'));
    book.send(A, ev.commit());
    clock.advance(TIMES.leaseMs + TIMES.graceMs);
    expect(changes.map((c) => `${c.before?.state}>${c.after.state}`)).toEqual([
      'bound>renewing', 'renewing>rebinding', 'rebinding>expired', 'expired>reclaimed',
    ]);
    expect(changes.map((c) => c.after.context.changedAt)).toEqual([
      T0 + TIMES.renewMs, T0 + TIMES.rebindMs, T0 + TIMES.leaseMs, T0 + TIMES.leaseMs + TIMES.graceMs,
    ]);
  });

  it('ignores stale entries: a renewed lease does not reach T1 at the old deadline', () => {
    const { book, clock, changes, input, ev } = setup();
    book.offer(input(A, 'c1'));
    book.send(A, ev.commit());
    clock.advance(TIMES.renewMs - 1_000);
    book.send(A, ev.commit());
    clock.advance(1_000);
    expect(changes).toEqual([]);
    expect(book.get(A)!.state).toBe('bound');
    clock.advance(TIMES.renewMs - 1_000);
    expect(changes.map((c) => c.after.state)).toEqual(['renewing']);
  });

  it('ignores the timers of a released lease and of a lease whose address went to another client', () => {
    const { book, clock, changes, input, ev } = setup();
    book.offer(input(A, 'c1'));
    book.send(A, ev.commit());
    book.send(A, ev.release());
    clock.advance(TIMES.leaseMs * 2);
    expect(changes).toEqual([]);

    book.offer(input(B, 'c1'));
    book.send(B, ev.withdraw());
    book.offer(input(B, 'c2'));
    clock.advance(HOLD_MS - 1);
    expect(changes).toEqual([]);
  });

  it('rehydrated records re-arm their stored deadlines, including ones already past', () => {
    const source = setup();
    source.book.offer(source.input(A, 'c1'));
    source.book.send(A, source.ev.commit());
    const stored = JSON.parse(JSON.stringify(source.book.get(A))) as LeaseRecord;

    const { book, clock, changes } = setup();
    clock.advance(TIMES.renewMs + 5);
    book.restore(stored);
    clock.advance(0);
    expect(changes.map((c) => c.after.state)).toEqual(['renewing']);
    expect(changes[0]!.after.context.changedAt).toBe(T0 + TIMES.renewMs);
  });
});

describe('revert', () => {
  it('undoes an offer: no record, no index, free, and its hold timer does nothing', () => {
    const { book, clock, changes, input } = setup();
    const change = book.offer(input(A, 'c1'));
    book.revert(change);
    expect(book.get(A)).toBeUndefined();
    expect(book.forClient(1, 'c1')).toBeUndefined();
    expect(book.isTaken(A)).toBe(false);
    clock.advance(HOLD_MS);
    expect(changes).toEqual([]);
  });

  it('undoes a commit back to the offer, whose hold timer then still runs', () => {
    const { book, clock, changes, input, ev } = setup();
    const offered = book.offer(input(A, 'c1')).after;
    const commit = book.send(A, ev.commit())!;
    book.revert(commit);
    expect(book.get(A)).toBe(offered);
    clock.advance(HOLD_MS);
    expect(changes.map((c) => c.after.state)).toEqual(['reclaimed']);
  });

  it('does nothing when the lease changed since', () => {
    const { book, input, ev } = setup();
    book.offer(input(A, 'c1'));
    const commit = book.send(A, ev.commit())!;
    const release = book.send(A, ev.release())!;
    book.revert(commit);
    expect(book.get(A)).toBe(release.after);
  });

  it('undoing an offer gives the client back its previous address as its lease (affinity survives)', () => {
    const { book, input, ev } = setup();
    book.offer(input(A, 'c1'));
    book.send(A, ev.commit());
    const released = book.send(A, ev.release())!.after;
    const change = book.offer(input(B, 'c1'));
    book.revert(change);
    expect(book.forClient(1, 'c1')).toBe(released);
  });
});

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
    expect(book.forClient(1, 'c1')?.context.ip).toBe(B);
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
    expect(book.forClient(1, 'c1')?.context.ip).toBe(A);
    expect(book.forClient(1, 'c1')?.state).toBe('bound');
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

/** What forClient must return, computed from the records alone: live before finished, then latest. */
function expectIndexConsistent(book: LeaseBook): void {
  const records = [...book.values()];
  for (const record of records) {
    expect(book.get(record.context.ip)).toBe(record);
    expect(book.isTaken(record.context.ip)).toBe(!isFinal(record.state));
  }
  const live = (r: LeaseRecord) => !isFinal(r.state) && r.state !== 'declined';
  for (const subnetId of [1, 2]) {
    for (const client of CLIENTS) {
      const mine = records.filter((r) => r.context.clientKey === client && r.context.subnetId === subnetId);
      const found = book.forClient(subnetId, client);
      if (mine.length === 0) {
        expect(found).toBeUndefined();
        continue;
      }
      const pool = mine.some(live) ? mine.filter(live) : mine;
      const latest = Math.max(...pool.map((r) => r.context.changedAt));
      expect(found === undefined ? undefined : pool.includes(found)).toBe(true);
      expect(found!.context.changedAt).toBe(latest);
    }
  }
}

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
