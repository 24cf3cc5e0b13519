// The free-address index chooses exactly what the allocator's scan of the pool chooses (same next-fit order, the
// same reservations and rules through `isFree`), follows the lease book as leases are offered, released and
// expire, and answers a DISCOVER to an exhausted pool without probing addresses.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextFree } from '../../../src/allocator/allocator.js';
import { intToIp } from '../../../src/codec/index.js';
import { MessageType } from '../../../src/codec/types.js';
import { ManualClock } from '../../../src/clock.js';
import type { AddressRange, Subnet } from '../../../src/config/types.js';
import { LeaseBook } from '../../../src/leases/lease-book.js';
import { FreeAddresses } from '../../../src/server/free-addresses.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { clientMessage } from '../../helpers/test-client.js';
import { LAB_CONFIG, SERVER_ID } from '../../helpers/test-server.js';
import { startTestDaemon } from '../../helpers/test-daemon.js';

const BASE = 0xc6120000; // 198.18.0.0

const subnetWith = (pools: AddressRange[]): Subnet => ({
  id: 1, cidr: '198.18.0.0/15', network: BASE, prefixLength: 15, mask: 0xfffe0000, broadcast: BASE + 0x1ffff,
  pools, reservations: [], leaseTime: 3600, renewalTime: 1800, rebindingTime: 3150, options: [], authoritative: false, interfaces: [],
});

function offerTo(book: LeaseBook, clock: ManualClock, ip: number, client: number, holdMs = 60_000): void {
  book.offer({ ip: intToIp(ip), subnetId: 1, clientKey: `hw:1:${client}`, hwAddress: '02:00:00:00:00:01', now: clock.now(), holdMs });
}

describe('free-address index', () => {
  it('chooses what a scan of the pool chooses, from any cursor, with addresses refused by isFree', () => {
    const poolsArb = fc.array(fc.record({ gap: fc.nat(5), size: fc.integer({ min: 1, max: 70 }) }), { minLength: 1, maxLength: 3 })
      .map((specs) => {
        let next = BASE;
        return specs.map(({ gap, size }): AddressRange => ({ start: (next += gap), end: (next += size) - 1 }));
      });
    fc.assert(fc.property(poolsArb, fc.array(fc.nat(200)), fc.array(fc.nat(200)), fc.integer({ min: -300, max: 300 }),
      (pools, takenOffsets, refusedOffsets, cursorAt) => {
        const clock = new ManualClock();
        const book = new LeaseBook({ clock, onTimerChange: () => {}, yieldFn: (next) => next() });
        const index = new FreeAddresses(book);
        const subnet = subnetWith(pools);
        const all = pools.flatMap((p) => Array.from({ length: p.end - p.start + 1 }, (_, i) => p.start + i));
        index.nextFree(subnet, () => true, { next: 0 }); // built before the leases: it must follow the book's changes
        for (const o of new Set(takenOffsets)) if (o < all.length) offerTo(book, clock, all[o]!, o);
        const refused = new Set(refusedOffsets.filter((o) => o < all.length).map((o) => all[o]!));
        const isFree = (ip: number) => !book.isTaken(intToIp(ip)) && !refused.has(ip);
        const a = { next: cursorAt };
        const b = { next: cursorAt };
        expect(index.nextFree(subnet, isFree, a)).toBe(nextFree(pools, isFree, b));
        expect(a.next).toBe(b.next);
      }));
  });

  it('follows offers, expiry of held offers and releases', () => {
    const clock = new ManualClock();
    const book = new LeaseBook({ clock, onTimerChange: () => {}, yieldFn: (next) => next() });
    const index = new FreeAddresses(book);
    const subnet = subnetWith([{ start: BASE + 10, end: BASE + 12 }]);
    const isFree = (ip: number) => !book.isTaken(intToIp(ip));
    for (let i = 0; i < 3; i++) offerTo(book, clock, BASE + 10 + i, i, 1_000 * (i + 1));
    expect(index.nextFree(subnet, isFree, { next: 0 })).toBeUndefined();
    clock.advance(1_500); // the first offer's hold ends
    expect(index.nextFree(subnet, isFree, { next: 0 })).toBe(BASE + 10);
  });

  it('an exhausted pool is answered without probing any address (O(1))', () => {
    const clock = new ManualClock();
    const book = new LeaseBook({ clock, onTimerChange: () => {}, yieldFn: (next) => next() });
    const index = new FreeAddresses(book);
    const subnet = subnetWith([{ start: BASE + 10, end: BASE + 1_033 }]);
    index.nextFree(subnet, () => true, { next: 0 });
    for (let i = 0; i < 1_024; i++) offerTo(book, clock, BASE + 10 + i, i);
    let probes = 0;
    const isFree = (ip: number) => (probes++, !book.isTaken(intToIp(ip)));
    for (let i = 0; i < 5; i++) expect(index.nextFree(subnet, isFree, { next: i * 100 })).toBeUndefined();
    expect(probes).toBe(0);
  });

  it('a DISCOVER to an exhausted pool is dropped, and the log line is aggregated without a stack', async () => {
    const s = startTestDaemon({ captureLogs: true, store: await openMemoryStore() });
    await s.app.ready;
    const pool = LAB_CONFIG.subnets[0]!.pools[0]!;
    const size = Number(pool.end.split('.')[3]) - Number(pool.start.split('.')[3]) + 1;
    // Bound, not merely offered: offers would yield to new clients when the pool is full.
    for (let i = 0; i < size; i++) {
      const client = { mac: `02:00:5e:10:03:${i.toString(16).padStart(2, '0')}` };
      const offer = await s.exchange(clientMessage(client, MessageType.DISCOVER));
      expect(await s.exchange(clientMessage(client, MessageType.REQUEST, { requested: offer!.message.yiaddr, serverId: SERVER_ID }))).toBeDefined();
    }
    for (let i = 0; i < 5; i++) {
      expect(await s.exchange(clientMessage({ mac: `02:00:5e:10:03:f${i}` }, MessageType.DISCOVER), { waitMs: 50 })).toBeUndefined();
    }
    const lines = s.logs.filter((l) => l.evt === 'pool.exhausted');
    expect(lines).toHaveLength(1);
    expect((lines[0]!.err as { code: string; stack?: string }).code).toBe('DHCPD_ERR_LEASE_POOL_EXHAUSTED');
    expect((lines[0]!.err as { stack?: string }).stack ?? '').toBe('');
    // The next line, an interval later, counts the ones in between.
    s.clock.advance(11_000);
    const later = s.logs.filter((l) => l.evt === 'pool.exhausted');
    expect(later.at(-1)!.count).toBe(4);
    expect(s.app.statistics().counters.drops?.['pool-exhausted']).toBe(5);
    await s.app.stop();
  });
});
