// Address choice (RFC 2131 §4.3.1): selection order, pool bounds, next-fit cursor, exhaustion, several pools.
import { describe, expect, it } from 'vitest';
import type { AddressRange } from '../../../src/config/types.js';
import { chooseAddress, inPools, nextFree, poolSize, type Cursor } from '../../../src/allocator/allocator.js';

/** 198.51.100.0/24 as integers. */
const NET = 0xc6336400;
const at = (host: number): number => NET + host;
const POOL: AddressRange[] = [{ start: at(10), end: at(19) }];
const TWO_POOLS: AddressRange[] = [{ start: at(10), end: at(12) }, { start: at(200), end: at(201) }];

const all = () => true;
const except = (...taken: number[]) => (ip: number) => !taken.includes(ip);
const cursor = (next = 0): Cursor => ({ next });

describe('selection order', () => {
  const everything = { existing: at(11), reserved: at(50), requested: at(12), previous: at(13) };

  it('an existing binding wins over everything, even though it is not "free" (it is the client\'s own)', () => {
    expect(chooseAddress(POOL, everything, () => false, cursor())).toEqual({ kind: 'chosen', ip: at(11), reason: 'existing' });
  });

  it('then the reservation, even outside the pools', () => {
    const { existing: _, ...rest } = everything;
    expect(chooseAddress(POOL, rest, all, cursor())).toEqual({ kind: 'chosen', ip: at(50), reason: 'reserved' });
  });

  it('then the requested address, then the previous one, then the next free', () => {
    expect(chooseAddress(POOL, { requested: at(12), previous: at(13) }, all, cursor()))
      .toEqual({ kind: 'chosen', ip: at(12), reason: 'requested' });
    expect(chooseAddress(POOL, { requested: at(12), previous: at(13) }, except(at(12)), cursor()))
      .toEqual({ kind: 'chosen', ip: at(13), reason: 'previous' });
    expect(chooseAddress(POOL, { requested: at(12), previous: at(13) }, except(at(12), at(13)), cursor(0)))
      .toEqual({ kind: 'chosen', ip: at(10), reason: 'next-free' });
  });

  it('an outstanding offer comes after a free requested address, before the previous one; not outside the pools', () => {
    // The offer holds its address for this client, so isFree says no for it.
    const taken = except(at(14));
    expect(chooseAddress(POOL, { requested: at(12), offered: at(14), previous: at(13) }, taken, cursor()))
      .toEqual({ kind: 'chosen', ip: at(12), reason: 'requested' });
    expect(chooseAddress(POOL, { requested: at(12), offered: at(14), previous: at(13) }, except(at(12), at(14)), cursor()))
      .toEqual({ kind: 'chosen', ip: at(14), reason: 'offered' });
    expect(chooseAddress(POOL, { offered: at(30), previous: at(13) }, all, cursor()))
      .toEqual({ kind: 'chosen', ip: at(13), reason: 'previous' });
  });

  it('ignores a requested or previous address outside the pools, even when isFree says yes', () => {
    expect(chooseAddress(POOL, { requested: at(9) }, all, cursor()))
      .toEqual({ kind: 'chosen', ip: at(10), reason: 'next-free' });
    expect(chooseAddress(POOL, { requested: at(20), previous: at(250) }, all, cursor(3)))
      .toEqual({ kind: 'chosen', ip: at(13), reason: 'next-free' });
  });

  it('does not re-offer an existing binding the pools no longer contain (pool shrunk by a reload)', () => {
    // Renewal and INIT-REBOOT NAK such an address as invalid; offering it again would loop DISCOVER → NAK.
    expect(chooseAddress(POOL, { existing: at(30) }, all, cursor()))
      .toEqual({ kind: 'chosen', ip: at(10), reason: 'next-free' });
    // ...unless it is the client's reservation.
    expect(chooseAddress(POOL, { existing: at(30), reserved: at(30) }, all, cursor()))
      .toEqual({ kind: 'chosen', ip: at(30), reason: 'existing' });
  });
});

describe('next free address (next-fit)', () => {
  it('starts at the cursor and moves it past the chosen address', () => {
    const c = cursor(4);
    expect(nextFree(POOL, all, c)).toBe(at(14));
    expect(c.next).toBe(5);
    expect(nextFree(POOL, all, c)).toBe(at(15));
  });

  it('skips taken addresses and wraps around to the start', () => {
    const c = cursor(8);
    expect(nextFree(POOL, except(at(18), at(19)), c)).toBe(at(10));
    expect(c.next).toBe(1);
    const end = cursor(9);
    expect(nextFree(POOL, all, end)).toBe(at(19));
    expect(end.next).toBe(0);
  });

  it('gives every address once before repeating, and reports exhaustion', () => {
    const c = cursor();
    const taken: number[] = [];
    const isFree = (ip: number) => !taken.includes(ip);
    for (let i = 0; i < 10; i++) {
      const choice = chooseAddress(POOL, {}, isFree, c);
      expect(choice.kind).toBe('chosen');
      if (choice.kind === 'chosen') taken.push(choice.ip);
    }
    expect(new Set(taken).size).toBe(10);
    expect(chooseAddress(POOL, {}, isFree, c)).toEqual({ kind: 'exhausted' });
    expect(chooseAddress(POOL, { requested: at(12), previous: at(13) }, isFree, c)).toEqual({ kind: 'exhausted' });
  });

  it('an empty pool list is exhausted', () => {
    expect(chooseAddress([], { requested: at(12) }, all, cursor())).toEqual({ kind: 'exhausted' });
  });

  it('tolerates a cursor left outside the pools (the pools shrank)', () => {
    expect(nextFree(POOL, all, cursor(25))).toBe(at(15));
    expect(nextFree(POOL, all, cursor(-1))).toBe(at(19));
  });
});

describe('several pools', () => {
  it('counts positions across pools in order and wraps from the last to the first', () => {
    expect(poolSize(TWO_POOLS)).toBe(5);
    const c = cursor(2);
    expect([nextFree(TWO_POOLS, all, c), nextFree(TWO_POOLS, all, c), nextFree(TWO_POOLS, all, c), nextFree(TWO_POOLS, all, c)])
      .toEqual([at(12), at(200), at(201), at(10)]);
  });

  it('takes from the second pool when the first is full, and never the gap between them', () => {
    const first = except(at(10), at(11), at(12));
    expect(nextFree(TWO_POOLS, first, cursor())).toBe(at(200));
    expect(inPools(TWO_POOLS, at(100))).toBe(false);
    expect(chooseAddress(TWO_POOLS, { requested: at(100) }, all, cursor(3)))
      .toEqual({ kind: 'chosen', ip: at(200), reason: 'next-free' });
    expect(chooseAddress(TWO_POOLS, { requested: at(201) }, all, cursor())).toEqual({ kind: 'chosen', ip: at(201), reason: 'requested' });
  });

  it('pool bounds are inclusive', () => {
    expect(inPools(TWO_POOLS, at(10))).toBe(true);
    expect(inPools(TWO_POOLS, at(12))).toBe(true);
    expect(inPools(TWO_POOLS, at(9))).toBe(false);
    expect(inPools(TWO_POOLS, at(202))).toBe(false);
  });
});
