// Leases at rest are packed in columns and built again when touched: a book that packs every lease but the last
// one set, and loads its leases packed, behaves exactly as one that keeps every record (the same answers, timer
// changes and transitions, whatever the operations); 2·10^4 rehydrated leases expire on time through the buckets.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LeaseEvent } from '../../../machines/lease.machine.js';
import type { LeaseRecord } from '../../../machines/lease.types.js';
import { ManualClock } from '../../../src/clock.js';
import { LeaseBook, type LeaseChange } from '../../../src/leases/lease-book.js';
import type { LeaseTransition } from '../../../src/leases/transition.js';
import { HOLD_MS, PROBATION_MS, T0, TIMES } from '../machines/lease-fixtures.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 100);
const IPS = ['198.51.100.1', '198.51.100.2', '203.0.113.1', '203.0.113.200'];
const CLIENTS = ['c0', 'c1', 'hw:1:02:00:00:00:00:01'];
const subnetOf = (ip: string): number => (ip.startsWith('198.') ? 1 : 2);

type Op =
  | { readonly op: 'offer'; readonly ip: number; readonly client: number; readonly hostname: boolean }
  | { readonly op: 'send'; readonly ip: number; readonly kind: 'commit' | 'release' | 'decline' | 'withdraw' }
  | { readonly op: 'revert'; readonly pick: number }
  | { readonly op: 'restore'; readonly pick: number }
  | { readonly op: 'forget'; readonly ip: number }
  | { readonly op: 'advance'; readonly ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('offer' as const), ip: fc.nat(IPS.length - 1), client: fc.nat(CLIENTS.length - 1), hostname: fc.boolean() }),
  fc.record({
    op: fc.constant('send' as const), ip: fc.nat(IPS.length - 1),
    kind: fc.constantFrom('commit' as const, 'release' as const, 'decline' as const, 'withdraw' as const),
  }),
  fc.record({ op: fc.constant('revert' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('restore' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('forget' as const), ip: fc.nat(IPS.length - 1) }),
  fc.record({ op: fc.constant('advance' as const), ms: fc.oneof(fc.nat(120_000), fc.nat(2 * PROBATION_MS), fc.nat(3 * TIMES.leaseMs)) }),
);

function makeBook(packed: boolean) {
  const clock = new ManualClock(T0);
  const timerChanges: LeaseChange[] = [];
  const transitions: LeaseTransition[] = [];
  const book = new LeaseBook({
    clock, onTimerChange: (c) => timerChanges.push(c), onTransition: (t) => transitions.push(t), yieldFn: (next) => next(),
    ...(packed ? { hotLimit: 1 } : {}),
  });
  return { clock, book, timerChanges, transitions };
}

function event(kind: 'commit' | 'release' | 'decline' | 'withdraw', now: number): LeaseEvent {
  switch (kind) {
    case 'commit': return { type: 'lease.commit', now, ...TIMES };
    case 'release': return { type: 'lease.release', now };
    case 'decline': return { type: 'lease.decline', now, probationMs: PROBATION_MS };
    case 'withdraw': return { type: 'lease.withdraw', now };
  }
}

/** Every answer a caller can get, by address and by client, plus the count and listing of leases. */
function observe(book: LeaseBook) {
  const byIp = IPS.map((ip) => [book.get(ip), book.isTaken(ip)]);
  const byClient = [1, 2].flatMap((subnetId) => CLIENTS.map((c) => [book.currentLeaseOf(subnetId, c), sortByIp(book.leasesOf(subnetId, c))]));
  const summary: [number, number, string][] = [];
  book.forEachLease((ip, subnetId, state) => summary.push([ip, subnetId, state]));
  return { byIp, byClient, size: book.size, values: sortByIp([...book.values()]), summary: summary.sort((a, b) => a[0] - b[0]) };
}

const sortByIp = (records: LeaseRecord[]): LeaseRecord[] => records.sort((a, b) => a.context.ip.localeCompare(b.context.ip));

describe('packed leases', () => {
  it('a book that packs every lease at rest answers as one that keeps records, for any operations', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 40 }), fc.array(opArb, { maxLength: 30 }), (before, after) => {
      // A first book builds the stored leases; the two under test load them, packed or kept.
      const source = makeBook(false);
      const history: LeaseChange[] = [];
      const apply = (target: ReturnType<typeof makeBook>, op: Op, changes: LeaseChange[]): void => {
        const { book, clock } = target;
        const ip = 'ip' in op ? IPS[op.ip]! : '';
        switch (op.op) {
          case 'offer': {
            if (book.isTaken(ip)) return;
            const hostname = op.hostname ? { hostname: 'host-1' } : {};
            changes.push(book.offer({ ip, subnetId: subnetOf(ip), clientKey: CLIENTS[op.client]!, hwAddress: '02:00:00:00:00:01', now: clock.now(), holdMs: HOLD_MS, ...hostname }));
            return;
          }
          case 'send': {
            const change = book.send(ip, event(op.kind, clock.now()));
            if (change !== undefined) changes.push(change);
            return;
          }
          case 'revert': if (changes.length > 0) book.revert(changes[op.pick % changes.length]!); return;
          case 'restore': if (changes.length > 0) book.restore(changes[op.pick % changes.length]!.after); return;
          case 'forget': book.forget(ip); return;
          case 'advance': clock.advance(op.ms); return;
        }
      };
      for (const op of before) apply(source, op, history);
      const stored = [...source.book.values()];

      const kept = makeBook(false);
      const packed = makeBook(true);
      kept.clock.advance(source.clock.now() - T0);
      packed.clock.advance(source.clock.now() - T0);
      for (const record of stored) kept.book.restore(record);
      for (const record of stored) packed.book.rehydrate(record);
      expect(observe(packed.book)).toEqual(observe(kept.book));
      const keptChanges: LeaseChange[] = [];
      const packedChanges: LeaseChange[] = [];
      for (const op of after) {
        apply(kept, op, keptChanges);
        apply(packed, op, packedChanges);
        expect(observe(packed.book)).toEqual(observe(kept.book));
      }
      expect(packed.timerChanges).toEqual(kept.timerChanges);
      expect(packed.transitions).toEqual(kept.transitions);
      kept.book.stop();
      packed.book.stop();
      source.book.stop();
    }), { numRuns: RUNS });
  });

  it('a view with a cause and the book see the same leases after a packed lease changes through either', () => {
    const { book, clock } = makeBook(true);
    const source = makeBook(false);
    source.book.offer({ ip: IPS[0]!, subnetId: 1, clientKey: 'c0', hwAddress: 'aa', now: T0, holdMs: HOLD_MS });
    const bound = source.book.send(IPS[0]!, event('commit', T0))!.after;
    source.book.stop();
    book.rehydrate(bound);
    book.rehydrate({ ...bound, context: { ...bound.context, ip: IPS[1]!, clientKey: 'c1' } });
    expect(book.get(IPS[0]!)).toEqual(bound); // the book builds the packed record (and keeps it at hand)
    const view = book.withCause({ xid: 1, message: 'DHCPRELEASE' });
    view.forget(IPS[0]!);
    clock.advance(1);
    expect(book.get(IPS[0]!)).toBeUndefined();
    expect(view.get(IPS[0]!)).toBeUndefined();
  });

  it('offers and bound leases rest packed at once; a lease a timer moved stays a record', () => {
    // A packed record is built anew for each read once another address was read in between; a record kept is the
    // very object each time. The default book (no hotLimit) keeps 10,000 records before packing the oldest.
    const { book, clock } = makeBook(false);
    const readTwice = (ip: string): [LeaseRecord | undefined, LeaseRecord | undefined] => {
      const first = book.get(ip);
      book.get(IPS[3]!);
      return [first, book.get(ip)];
    };
    book.offer({ ip: IPS[0]!, subnetId: 1, clientKey: 'c0', hwAddress: 'aa', now: T0, holdMs: HOLD_MS });
    const [offered, offeredAgain] = readTwice(IPS[0]!);
    expect(offered?.state).toBe('offered');
    expect(offeredAgain).toEqual(offered);
    expect(offeredAgain).not.toBe(offered);
    book.send(IPS[0]!, event('commit', T0));
    const [bound, boundAgain] = readTwice(IPS[0]!);
    expect(bound?.state).toBe('bound');
    expect(boundAgain).not.toBe(bound);
    clock.advance(TIMES.renewMs);
    const [renewing, renewingAgain] = readTwice(IPS[0]!);
    expect(renewing?.state).toBe('renewing');
    expect(renewingAgain).toBe(renewing);
    book.stop();
  });

  it('a record the columns cannot hold exactly stays a record', () => {
    const { book } = makeBook(true);
    const base = makeBook(false);
    const offered = base.book.offer({ ip: IPS[0]!, subnetId: 1, clientKey: 'c0', hwAddress: 'aa', now: T0, holdMs: HOLD_MS }).after;
    const odd = { ...offered, context: { ...offered.context, extra: 1 } } as LeaseRecord;
    const fractionalSubnet = { ...offered, context: { ...offered.context, ip: IPS[1]!, subnetId: 1.5 } };
    book.rehydrate(odd);
    book.rehydrate(fractionalSubnet);
    expect(book.get(IPS[0]!)).toBe(odd);
    expect(book.get(IPS[1]!)).toBe(fractionalSubnet);
  });

  it('2·10^4 rehydrated leases falling due in the same second all change on time', () => {
    const { book, clock, timerChanges } = makeBook(false);
    const source = makeBook(false);
    const base = 0xc6120000;
    const ip = (i: number): string => `${(base + i) >>> 24}.${((base + i) >>> 16) & 255}.${((base + i) >>> 8) & 255}.${(base + i) & 255}`;
    for (let i = 0; i < 20_000; i++) {
      source.book.offer({ ip: ip(i), subnetId: 1, clientKey: `c${i}`, hwAddress: 'aa', now: T0, holdMs: HOLD_MS });
      book.rehydrate(source.book.send(ip(i), event('commit', T0))!.after);
    }
    source.book.stop();
    expect(book.get(ip(7))?.state).toBe('bound');
    clock.advance(TIMES.renewMs);
    expect(book.get(ip(19_999))?.state).toBe('renewing');
    expect(timerChanges.length).toBe(20_000);
    expect(timerChanges.every((c) => c.after.state === 'renewing' && c.after.context.changedAt === T0 + TIMES.renewMs)).toBe(true);
    clock.advance(TIMES.leaseMs - TIMES.renewMs + TIMES.graceMs);
    expect(book.get(ip(0))?.state).toBe('reclaimed');
    expect(book.currentLeaseOf(1, 'c5')?.state).toBe('reclaimed');
    book.stop();
  });
});
