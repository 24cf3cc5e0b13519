// The book's resting leases: a table loaded whole is never grown (new addresses go to its freed slots, then to a
// table of their own), and every query sees the leases of both tables, each address in one of them only.
import { describe, expect, it } from 'vitest';
import type { LeaseRecord } from '../../../machines/lease.types.js';
import { intToIp } from '../../../src/codec/index.js';
import { startLease, stepLease } from '../../../src/leases/lease-runner.js';
import { PackedLeases } from '../../../src/lease-columns/packed-leases.js';
import { RestingLeases } from '../../../src/lease-columns/resting-leases.js';
import { HOLD_MS, T0, TIMES } from '../machines/lease-fixtures.js';

const BASE = 0xc6120000;

function bound(n: number, client = n): LeaseRecord {
  const hex = client.toString(16).padStart(6, '0');
  const offered = startLease({
    ip: intToIp(BASE + n), subnetId: 7, clientKey: `hw:1:02:00:00:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4)}`,
    hwAddress: `02:00:00:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4)}`, now: T0, holdMs: HOLD_MS,
  });
  return stepLease(offered, { type: 'lease.commit', now: T0, ...TIMES })!;
}

/** A table of `count` leases as a snapshot load makes it: exactly full, its columns adopted. */
function loadedTable(count: number): PackedLeases {
  const table = new PackedLeases();
  for (let n = 0; n < count; n++) table.pack(bound(n));
  return PackedLeases.fromColumns(table.columns());
}

describe('RestingLeases', () => {
  it('never grows the table loaded whole: leases at new addresses rest in a table of their own', () => {
    const loaded = loadedTable(100);
    const ips = loaded.image().ips;
    const resting = new RestingLeases();
    resting.load(loaded);
    for (let n = 100; n < 2100; n++) expect(resting.pack(bound(n))).toBe(true);
    expect(loaded.size).toBe(100);
    expect(loaded.hasRoom()).toBe(false);
    // The loaded columns are the very arrays adopted at the load.
    expect(loaded.image().ips.buffer).toBe(ips.buffer);
    expect(resting.size).toBe(2100);
    for (const n of [0, 99, 100, 2099]) expect(resting.get(BASE + n)).toEqual(bound(n));
  });

  it('puts a new address in a slot the loaded table freed, and keeps each address in one table', () => {
    const loaded = loadedTable(10);
    const resting = new RestingLeases();
    resting.load(loaded);
    expect(resting.pack(bound(10))).toBe(true); // to the other table: the loaded one is full
    resting.delete(BASE + 3);
    expect(loaded.hasRoom()).toBe(true);
    expect(resting.pack(bound(11))).toBe(true); // to the freed slot
    expect(loaded.has(BASE + 11)).toBe(true);
    // Packed again (another client): in place, wherever the address is.
    expect(resting.pack(bound(10, 77))).toBe(true);
    expect(resting.pack(bound(5, 78))).toBe(true);
    expect(loaded.has(BASE + 10)).toBe(false);
    expect(resting.size).toBe(11);
    expect(resting.get(BASE + 10)).toEqual(bound(10, 77));
    expect(resting.get(BASE + 5)).toEqual(bound(5, 78));
    expect(resting.get(BASE + 3)).toBeUndefined();

    const listed = [...resting.records()].map((record) => record.context.ip).sort();
    expect(listed).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11].map((n) => intToIp(BASE + n)).sort());
    const summed: number[] = [];
    resting.forEach((ip) => summed.push(ip));
    expect(summed.sort()).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11].map((n) => BASE + n).sort());
    const timer = bound(10).timers[0]!;
    expect(resting.timersOf(BASE + 10)).toEqual(bound(10, 77).timers);
    expect(resting.hasTimer(BASE + 10, timer.event, timer.at)).toBe(true);
    resting.delete(BASE + 10);
    expect(resting.get(BASE + 10)).toBeUndefined();
    expect(resting.size).toBe(10);
  });

  it('without a load, packs into a table that grows from small', () => {
    const resting = new RestingLeases();
    for (let n = 0; n < 3000; n++) expect(resting.pack(bound(n))).toBe(true);
    expect(resting.size).toBe(3000);
    expect(resting.get(BASE + 2999)).toEqual(bound(2999));
    expect(() => resting.load(loadedTable(1))).toThrow(TypeError);
  });
});
