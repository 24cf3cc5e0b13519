// Offers in their conflict-check probe, on their own: an entry names one offer (client and time), lasts from the
// hold until the OFFER is sent or the probe's timeout; the map stays bounded by the probes in flight. DISCOVERs
// join a probe within bounds and wake, all at once, when it ends, is replaced, or lapses; nothing of them stays.
import { describe, expect, it } from 'vitest';
import type { LeaseRecord } from '../../../machines/lease.types.js';
import { ManualClock } from '../../../src/clock.js';
import { JOIN_GRACE_MS, JOINS_MAX, JOINS_PER_PROBE, ProbingOffers } from '../../../src/server/probing-offers.js';
import { makeRecord } from '../store/helpers.js';

const offer = (ip: string, clientKey: string, changedAt: number): LeaseRecord => {
  const r = makeRecord(ip, clientKey, { state: 'offered' });
  return { ...r, context: { ...r.context, changedAt } };
};

describe('offers in their probe', () => {
  it('from the hold until the OFFER is sent, at most until the probe times out; without a probe not at all', () => {
    const probing = new ProbingOffers(new ManualClock());
    const a = offer('198.51.100.100', 'A', 0);
    probing.held(a, 0, 500);
    expect(probing.inProbe(a, 499)).toBe(true);
    expect(probing.inProbe(a, 500)).toBe(false); // cut short: its transaction stopped mid-probe
    probing.held(a, 0, 500);
    probing.ended(a.context.ip, 'A');
    expect(probing.inProbe(a, 20)).toBe(false);
    expect(probing.size).toBe(0);
    probing.held(a, 0, 0);
    expect(probing.inProbe(a, 0)).toBe(false);
  });

  it('names one offer: another client\'s or a later offer of the address is not in that probe', () => {
    const probing = new ProbingOffers(new ManualClock());
    probing.held(offer('198.51.100.100', 'A', 0), 0, 500);
    expect(probing.inProbe(offer('198.51.100.100', 'B', 0), 10)).toBe(false);
    probing.held(offer('198.51.100.100', 'A', 0), 0, 500);
    expect(probing.inProbe(offer('198.51.100.100', 'A', 5), 10)).toBe(false);
    probing.held(offer('198.51.100.100', 'A', 0), 0, 500);
    expect(probing.inProbe({ ...offer('198.51.100.100', 'A', 0), state: 'bound' }, 10)).toBe(false);
    // A send for another client's offer of the address does not end this one's probe.
    const a = offer('198.51.100.101', 'A', 0);
    probing.held(a, 0, 500);
    probing.ended(a.context.ip, 'B');
    expect(probing.inProbe(a, 499)).toBe(true);
  });

  it('stays bounded by the probes in flight: lapsed entries go as new offers are held', () => {
    const probing = new ProbingOffers(new ManualClock());
    for (let i = 0; i < 10_000; i++) probing.held(offer(`198.18.${i >> 8}.${i & 255}`, `c${i}`, i), i, 500);
    expect(probing.size).toBeLessThanOrEqual(501);
  });

  it('joiners share one end per probe: they wake when its OFFER goes out, and leave nothing behind', async () => {
    const probing = new ProbingOffers(new ManualClock());
    const a = offer('198.51.100.100', 'A', 0);
    probing.held(a, 0, 500);
    expect(probing.join(a, 'B', 10)).toBe(true);
    expect(probing.join(a, 'C', 10)).toBe(true);
    expect(probing.join(a, 'C', 10)).toBe(true); // the same client again: still one joiner
    expect([probing.joinersOf(a.context.ip), probing.joined]).toEqual([2, 2]);
    const ends = [probing.endOf(a.context.ip, 'B'), probing.endOf(a.context.ip, 'C')];
    expect(ends[0]).toBe(ends[1]); // one promise per probe, not per joiner
    let woke = false;
    void ends[0]!.then(() => (woke = true));
    probing.ended(a.context.ip, 'B'); // another client's end: not this probe's
    await Promise.resolve();
    expect(woke).toBe(false);
    probing.ended(a.context.ip, 'A');
    await ends[0];
    expect([probing.joinersOf(a.context.ip), probing.joined, probing.size]).toEqual([0, 0, 0]);
    // A client that joined nothing (or whose probe ended already) does not wait.
    await probing.endOf(a.context.ip, 'B');
  });

  it('a probe cut short wakes its joiners after its timeout and a grace, and one replaced by a new offer at once', async () => {
    const clock = new ManualClock(0);
    const probing = new ProbingOffers(clock);
    const a = offer('198.51.100.100', 'A', 0);
    probing.held(a, 0, 500);
    probing.join(a, 'B', 0);
    let woke = false;
    void probing.endOf(a.context.ip, 'B').then(() => (woke = true));
    clock.advance(500 + JOIN_GRACE_MS - 1);
    // Lapsed for offers (no longer shielding its address), still waited for by its joiners until the grace ends.
    expect(probing.inProbe(a, clock.now())).toBe(false);
    probing.held(offer('198.51.100.101', 'X', 1), clock.now(), 500); // a sweep keeps the joined entry
    await Promise.resolve();
    expect([woke, probing.joined]).toEqual([false, 1]);
    clock.advance(1);
    await Promise.resolve();
    expect([woke, probing.joined]).toEqual([true, 0]);

    const b = offer('198.51.100.102', 'A', 5);
    probing.held(b, clock.now(), 500);
    probing.join(b, 'C', clock.now());
    const replaced = probing.endOf(b.context.ip, 'C');
    probing.held(offer('198.51.100.102', 'D', 6), clock.now(), 500);
    await replaced;
    expect(probing.joined).toBe(0);
  });

  it('bounded: JOINS_PER_PROBE per probe, JOINS_MAX in all; only offers in their probe can be joined', () => {
    const probing = new ProbingOffers(new ManualClock(0));
    const a = offer('198.51.100.100', 'A', 0);
    expect(probing.join(a, 'B', 0)).toBe(false); // not in its probe
    probing.held(a, 0, 500);
    for (let i = 0; i < JOINS_PER_PROBE; i++) expect(probing.join(a, `j${i}`, 0)).toBe(true);
    expect(probing.join(a, 'one-more', 0)).toBe(false);
    for (let p = 1; probing.joined < JOINS_MAX; p++) {
      const o = offer(`198.18.${p >> 8}.${p & 255}`, `h${p}`, 0);
      probing.held(o, 0, 500);
      for (let i = 0; i < JOINS_PER_PROBE && probing.joined < JOINS_MAX; i++) expect(probing.join(o, `j${p}.${i}`, 0)).toBe(true);
    }
    const last = offer('198.18.200.1', 'H', 0);
    probing.held(last, 0, 500);
    expect(probing.join(last, 'over', 0)).toBe(false);
    expect(probing.joined).toBe(JOINS_MAX);
  });
});
