// Offers in their conflict-check probe, on their own: an entry names one offer (client and time), lasts from the
// hold until the OFFER is sent or the probe's timeout; the map stays bounded by the probes in flight.
import { describe, expect, it } from 'vitest';
import type { LeaseRecord } from '../../../machines/lease.types.js';
import { ProbingOffers } from '../../../src/server/probing-offers.js';
import { makeRecord } from '../store/helpers.js';

const offer = (ip: string, clientKey: string, changedAt: number): LeaseRecord => {
  const r = makeRecord(ip, clientKey, { state: 'offered' });
  return { ...r, context: { ...r.context, changedAt } };
};

describe('offers in their probe', () => {
  it('from the hold until the OFFER is sent, at most until the probe times out; without a probe not at all', () => {
    const probing = new ProbingOffers();
    const a = offer('198.51.100.100', 'A', 0);
    probing.held(a, 0, 500);
    expect(probing.inProbe(a, 499)).toBe(true);
    expect(probing.inProbe(a, 500)).toBe(false); // cut short: its transaction stopped mid-probe
    probing.held(a, 0, 500);
    probing.sent(a.context.ip, 'A');
    expect(probing.inProbe(a, 20)).toBe(false);
    expect(probing.size).toBe(0);
    probing.held(a, 0, 0);
    expect(probing.inProbe(a, 0)).toBe(false);
  });

  it('names one offer: another client\'s or a later offer of the address is not in that probe', () => {
    const probing = new ProbingOffers();
    probing.held(offer('198.51.100.100', 'A', 0), 0, 500);
    expect(probing.inProbe(offer('198.51.100.100', 'B', 0), 10)).toBe(false);
    probing.held(offer('198.51.100.100', 'A', 0), 0, 500);
    expect(probing.inProbe(offer('198.51.100.100', 'A', 5), 10)).toBe(false);
    probing.held(offer('198.51.100.100', 'A', 0), 0, 500);
    expect(probing.inProbe({ ...offer('198.51.100.100', 'A', 0), state: 'bound' }, 10)).toBe(false);
    // A send for another client's offer of the address does not end this one's probe.
    const a = offer('198.51.100.101', 'A', 0);
    probing.held(a, 0, 500);
    probing.sent(a.context.ip, 'B');
    expect(probing.inProbe(a, 499)).toBe(true);
  });

  it('stays bounded by the probes in flight: lapsed entries go as new offers are held', () => {
    const probing = new ProbingOffers();
    for (let i = 0; i < 10_000; i++) probing.held(offer(`198.18.${i >> 8}.${i & 255}`, `c${i}`, i), i, 500);
    expect(probing.size).toBeLessThanOrEqual(501);
  });
});
