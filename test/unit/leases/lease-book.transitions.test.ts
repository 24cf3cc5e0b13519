// The lease book reports every transition to its one listener: offers, events, timers (also those applied
// lazily when a request looks at a lease), and undos — with the cause of the request when there is one.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { LeaseBook } from '../../../src/leases/lease-book.js';
import { eventName, type LeaseTransition } from '../../../src/leases/transition.js';
import { HOLD_MS, T0, TIMES } from '../machines/lease-fixtures.js';

function setup() {
  const clock = new ManualClock(T0);
  const seen: LeaseTransition[] = [];
  const book = new LeaseBook({ clock, onTimerChange: () => {}, onTransition: (t) => seen.push(t), yieldFn: (n) => n() });
  const input = { ip: '198.51.100.10', subnetId: 1, clientKey: 'hw:1:02:00:00:00:00:01', hwAddress: '02:00:00:00:00:01', now: T0, holdMs: HOLD_MS };
  const brief = () => seen.map((t) => `${t.from}>${t.to} ${t.event}${t.xid === undefined ? '' : ` #${t.xid}`}`);
  return { clock, book, seen, input, brief };
}

describe('lease transitions', () => {
  it('reports through a view that shares every field of its book but the cause, whatever book it is', () => {
    const { book, input, seen } = setup();
    const other = setup().book;
    const view = book.withCause({ xid: 3 });
    const fields = (object: object) => Object.entries(object).filter(([key]) => key !== 'cause');
    // A field added to the book and not to the view would leave the view without it (or with a stale copy).
    expect(fields(view)).toEqual(fields(book));
    for (const [key, value] of fields(view)) expect(value, key).toBe((book as unknown as Record<string, unknown>)[key]);
    // Not an object whose prototype is its book: every view, of this book or another, has its class's prototype.
    expect(Object.getPrototypeOf(view)).toBe(LeaseBook.prototype);
    expect(Object.getPrototypeOf(other.withCause({ xid: 4 }))).toBe(Object.getPrototypeOf(view));
    // A subclass's overrides hold through its views.
    class Overriding extends LeaseBook {
      override isTaken(_ip: string): boolean {
        return true;
      }
    }
    const overriding = new Overriding({ clock: new ManualClock(T0), onTimerChange: () => {} });
    expect(overriding.withCause({ xid: 5 }).isTaken('198.51.100.99')).toBe(true);
    view.offer(input);
    expect(book.get(input.ip)?.state).toBe('offered');
    expect(seen.map((t) => t.xid)).toEqual([3]);
  });

  it('reports the offer, the commit and every timer through the whole life of a lease', () => {
    const { clock, book, input, brief, seen } = setup();
    const caused = book.withCause({ xid: 7, message: 'DHCPREQUEST from 02:00:00:00:00:01' });
    caused.offer(input);
    caused.send(input.ip, { type: 'lease.commit', now: clock.now(), ...TIMES });
    clock.advance(TIMES.leaseMs + TIMES.graceMs + 1);
    expect(brief()).toEqual([
      'none>offered lease.offer #7',
      'offered>bound lease.commit #7',
      'bound>renewing timer.T1',
      'renewing>rebinding timer.T2',
      'rebinding>expired timer.expiry',
      'expired>reclaimed timer.grace',
    ]);
    expect(seen[1]).toMatchObject({ ip: input.ip, subnetId: 1, clientKey: input.clientKey, at: T0, message: 'DHCPREQUEST from 02:00:00:00:00:01' });
    expect(seen[2]!.at).toBe(T0 + TIMES.renewMs);
    expect(book.get(input.ip)?.state).toBe('reclaimed');
  });

  it('a read changes nothing; a due timer is applied before the request\'s command, and not attributed to it', () => {
    const { clock, book, input, seen } = setup();
    book.offer(input);
    book.send(input.ip, { type: 'lease.commit', now: clock.now(), ...TIMES });
    // Jump the clock without running timers: a read shows T1 applied, but applies nothing.
    (clock as unknown as { time: number }).time = T0 + TIMES.renewMs + 5;
    const caused = book.withCause({ xid: 9 });
    const reported = seen.length;
    expect(caused.get(input.ip)?.state).toBe('renewing');
    expect(seen).toHaveLength(reported);
    expect([...book.values()][0]?.state).toBe('bound');
    // The command settles the lease first: T1, then the release, which alone is the request's.
    caused.send(input.ip, { type: 'lease.release', now: clock.now() });
    expect(seen.slice(reported).map((t) => [t.from, t.to, t.event, t.xid])).toEqual([
      ['bound', 'renewing', 'timer.T1', undefined], ['renewing', 'released', 'lease.release', 9],
    ]);
  });

  it('reports an undo of a change whose write failed, back to the state before (or none)', () => {
    const { clock, book, input, brief } = setup();
    const offer = book.offer(input);
    const commit = book.send(input.ip, { type: 'lease.commit', now: clock.now(), ...TIMES })!;
    book.revert(commit);
    book.revert(offer);
    expect(brief()).toEqual(['none>offered lease.offer', 'offered>bound lease.commit', 'bound>offered lease.revert', 'offered>none lease.revert']);
    expect(book.get(input.ip)).toBeUndefined();
  });

  it('reports declines with their probation, and refused events not at all', () => {
    const { clock, book, input, brief } = setup();
    book.offer(input);
    expect(book.send(input.ip, { type: 'lease.release', now: clock.now() })).toBeUndefined();
    book.send(input.ip, { type: 'lease.commit', now: clock.now(), ...TIMES });
    book.send(input.ip, { type: 'lease.decline', now: clock.now(), probationMs: 1000 });
    clock.advance(1000);
    expect(brief()).toEqual(['none>offered lease.offer', 'offered>bound lease.commit', 'bound>declined lease.decline', 'declined>reclaimed timer.probation']);
  });

  it('names timers as operators know them', () => {
    expect(eventName('xstate.after.offerHold.lease.offered')).toBe('timer.offer-hold');
    expect(eventName('xstate.after.grace.lease.expired')).toBe('timer.grace');
    expect(eventName('xstate.after.probation.lease.declined')).toBe('timer.probation');
    expect(eventName('xstate.after.somethingNew.lease.bound')).toBe('timer.somethingNew');
    expect(eventName('lease.commit')).toBe('lease.commit');
  });
});
