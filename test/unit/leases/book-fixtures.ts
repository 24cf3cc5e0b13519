// Shared setup for lease book tests: a book on a ManualClock that records its timer changes.
import type { LeaseEvent, LeaseInput } from '../../../machines/lease.machine.js';
import { ManualClock } from '../../../src/clock.js';
import { LeaseBook, type LeaseChange } from '../../../src/leases/lease-book.js';
import { HOLD_MS, PROBATION_MS, T0, TIMES } from '../machines/lease-fixtures.js';

export function setup(options: { yieldFn?: (next: () => void) => void } = {}) {
  const clock = new ManualClock(T0);
  const changes: LeaseChange[] = [];
  const book = new LeaseBook({ clock, onTimerChange: (c) => changes.push(c), yieldFn: options.yieldFn ?? ((next) => next()) });
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


export const A = '198.51.100.10';
export const B = '198.51.100.11';
export const C = '198.51.100.12';
