// The offer shields on their own: a shield names one offer (client and time), lasts from the hold until the probe
// could have ended, then the request window from the send; the map stays bounded by the recent holds.
import { describe, expect, it } from 'vitest';
import type { LeaseRecord } from '../../../machines/lease.types.js';
import { OfferShields } from '../../../src/server/offer-shields.js';
import { makeRecord } from '../store/helpers.js';

const offer = (ip: string, clientKey: string, changedAt: number): LeaseRecord => {
  const r = makeRecord(ip, clientKey, { state: 'offered' });
  return { ...r, context: { ...r.context, changedAt } };
};

describe('offer shields', () => {
  it('in its probe: until the probe could have ended plus the window; once sent: the window from the send', () => {
    const shields = new OfferShields();
    const a = offer('198.51.100.100', 'A', 0);
    shields.held(a, 0, 500, 100);
    expect(shields.protects(a, 599)).toBe(true);
    expect(shields.protects(a, 600)).toBe(false);
    shields.sent(a.context.ip, 'A', 20, 100);
    expect(shields.protects(a, 119)).toBe(true);
    expect(shields.protects(a, 120)).toBe(false);
  });

  it('names one offer: another client\'s or a later offer of the address is not shielded by it', () => {
    const shields = new OfferShields();
    shields.held(offer('198.51.100.100', 'A', 0), 0, 0, 100);
    expect(shields.protects(offer('198.51.100.100', 'B', 0), 10)).toBe(false);
    shields.held(offer('198.51.100.100', 'A', 0), 0, 0, 100);
    expect(shields.protects(offer('198.51.100.100', 'A', 5), 10)).toBe(false);
    shields.held(offer('198.51.100.100', 'A', 0), 0, 0, 100);
    expect(shields.protects({ ...offer('198.51.100.100', 'A', 0), state: 'bound' }, 10)).toBe(false);
    // A send for another client's offer of the address does not move this one's shield.
    const a = offer('198.51.100.101', 'A', 0);
    shields.held(a, 0, 500, 100);
    shields.sent(a.context.ip, 'B', 10, 100);
    expect(shields.protects(a, 599)).toBe(true);
  });

  it('stays bounded by the recent holds: expired shields go as new offers are held', () => {
    const shields = new OfferShields();
    for (let i = 0; i < 10_000; i++) shields.held(offer(`198.18.${i >> 8}.${i & 255}`, `c${i}`, i), i, 500, 100);
    expect(shields.size).toBeLessThanOrEqual(601);
  });
});
