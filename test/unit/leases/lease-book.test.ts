// The in-memory lease table: indexes by address, timers through the shared schedule, undo.
import { describe, expect, it } from 'vitest';
import type { LeaseRecord } from '../../../machines/lease.types.js';
import { HOLD_MS, PROBATION_MS, T0, TIMES } from '../machines/lease-fixtures.js';
import { A, B, C, setup } from './book-fixtures.js';

describe('LeaseBook basics', () => {
  it('an offer takes the address and indexes it by client; a second offer of it is a programming error', () => {
    const { book, input } = setup();
    const change = book.offer(input(A, 'c1'));
    expect(change.before).toBeUndefined();
    expect(change.after.state).toBe('offered');
    expect(book.get(A)).toBe(change.after);
    expect(book.currentLeaseOf(1, 'c1')).toBe(change.after);
    expect(book.currentLeaseOf(2, 'c1')).toBeUndefined();
    expect(book.isTaken(A)).toBe(true);
    expect(() => book.offer(input(A, 'c2'))).toThrow(TypeError);
  });

  it('an address read without a lease is read again once a lease is stored there, whichever way it comes', () => {
    // The book remembers its last lookup, found or not: every change of a stored lease must drop that.
    const { book, input, clock } = setup();
    expect(book.get(A)).toBeUndefined();
    const offer = book.offer(input(A, 'c1'));
    expect(book.get(A)).toBe(offer.after);
    book.revert(offer);
    expect(book.get(A)).toBeUndefined();
    book.restore(offer.after);
    expect(book.get(A)).toEqual(offer.after);
    book.forget(A);
    expect(book.get(A)).toBeUndefined();
    book.rehydrate(offer.after);
    expect(book.get(A)?.state).toBe('offered');
    expect(book.get(B)).toBeUndefined();
    clock.advance(1);
    expect(book.offer(input(B, 'c2')).after.context.ip).toBe(B);
    expect(book.isTaken(B)).toBe(true);
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
    expect(book.currentLeaseOf(1, 'c2')?.context.ip).toBe(A);
    expect(book.currentLeaseOf(1, 'c1')).toBeUndefined();
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

describe('mass expiry through the book', () => {
  it('10k offers timing out at one instant are reclaimed in slices of at most 256, other work running between', () => {
    // 100k timers are sliced in expiry-schedule.test.ts; through real lease machines 10k keep this test quick.
    const yields: (() => void)[] = [];
    const { book, clock, changes, input } = setup({ yieldFn: (next) => yields.push(next) });
    const N = 10_000;
    const ipOf = (i: number) => `198.18.${i >> 8}.${i & 255}`;
    for (let i = 0; i < N; i++) book.offer(input(ipOf(i), `c${i}`));
    clock.advance(HOLD_MS);
    const slices = [changes.length];
    while (yields.length > 0) {
      // Between slices the daemon handles packets: here, one more offer on a reclaimed address.
      if (slices.length === 2) book.offer(input(ipOf(0), 'late'));
      const before = changes.length;
      yields.shift()!();
      slices.push(changes.length - before);
    }
    expect(changes).toHaveLength(N);
    expect(Math.max(...slices)).toBeLessThanOrEqual(256);
    expect(slices.length).toBeGreaterThanOrEqual(N / 256);
    expect(changes.every((c) => c.after.state === 'reclaimed')).toBe(true);
    expect(book.get(ipOf(0))!.context.clientKey).toBe('late');
    expect(book.isTaken(ipOf(1))).toBe(false);
  });
});

describe('revert', () => {
  it('undoes an offer: no record, no index, free, and its hold timer does nothing', () => {
    const { book, clock, changes, input } = setup();
    const change = book.offer(input(A, 'c1'));
    book.revert(change);
    expect(book.get(A)).toBeUndefined();
    expect(book.currentLeaseOf(1, 'c1')).toBeUndefined();
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
    expect(book.currentLeaseOf(1, 'c1')).toBe(released);
  });
});

