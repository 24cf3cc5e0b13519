// The router's record of exchanges waiting for their client: expiry at clientQuiet, oldest first, bounded by eviction.
import { describe, expect, it } from 'vitest';
import { WaitingClients } from '../../../src/router/waiting-clients.js';

describe('WaitingClients', () => {
  it('is taken once while it waits, and not after its time', () => {
    const w = new WaitingClients(5_000);
    w.park('a', 1_000);
    expect(w.take('a', 5_999)).toBe(true);
    expect(w.take('a', 5_999)).toBe(false);
    w.park('b', 1_000);
    expect(w.take('b', 6_000)).toBe(false);
  });

  it('drops expired entries from the front as new ones come, and counts only the live ones', () => {
    const w = new WaitingClients(5_000);
    for (let i = 0; i < 1_000; i++) w.park(`c${i}`, i);
    expect(w.size(999)).toBe(1_000);
    w.park('late', 5_500); // c0..c500 expired by now
    expect(w.size(5_500)).toBe(500);
  });

  it('a client parked again moves to the back: it is not evicted or expired by its older time', () => {
    const w = new WaitingClients(5_000);
    w.park('a', 0);
    w.park('b', 1);
    w.park('a', 2);
    expect(w.evictOldest(3)).toBe(true);
    expect([w.take('b', 3), w.take('a', 5_001), w.evicted]).toEqual([false, true, 1]);
  });

  it('evicts nothing when none waits', () => {
    const w = new WaitingClients(5_000);
    w.park('a', 0);
    expect(w.evictOldest(5_000)).toBe(false); // a expired: not an eviction
    expect(w.evicted).toBe(0);
  });

  it('keeps oldest-first order and expiry across its queue\'s compactions (parks, takes and re-parks by the thousand)', () => {
    const w = new WaitingClients(5_000);
    // 3,000 clients parked again and again: at 9,999 each one's latest park is in 7,000..9,999, the older ones stale.
    for (let i = 0; i < 10_000; i++) w.park(`c${i % 3_000}`, i);
    expect(w.take('c1001', 9_999)).toBe(true); // taken: its entry is stale too
    expect(w.size(9_999)).toBe(2_999);
    expect(w.evictOldest(9_999)).toBe(true); // c1000, parked at 7,000
    expect(w.evictOldest(9_999)).toBe(true); // c1002 (c1001 was taken)
    expect([w.take('c1000', 9_999), w.take('c1002', 9_999), w.take('c1003', 9_999), w.evicted]).toEqual([false, false, true, 2]);
    expect(w.size(12_999)).toBe(2_000); // c1000..c1999 (parked 7,000..7,999) expired; c1000..c1003 were gone already
    expect(w.size(14_999)).toBe(0);
    expect(w.evictOldest(14_999)).toBe(false);
  });
});
