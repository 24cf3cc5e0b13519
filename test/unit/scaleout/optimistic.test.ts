// The version check of the shared lease database, decided in memory: who wins a batch, and why.
import { describe, expect, it } from 'vitest';
import { resolveBatch, type CurrentRow, type PendingWrite, type RequestGroup } from '../../../src/store/postgres/optimistic.js';
import { del, makeRecord, put } from '../store/helpers.js';

const IP = '198.51.100.10';
const pending = (write: PendingWrite['write'], basis: PendingWrite['basis'], group: RequestGroup = {}): PendingWrite => ({
  write, ip: write.kind === 'put' ? write.record.context.ip : write.ip, group, basis, state: 'pending',
});
const row = (seq: number, clientKey: string, record: unknown = {}): CurrentRow => ({ seq, deleted: false, clientKey, record });

describe('resolveBatch', () => {
  it('a write based on the row it replaces wins; one based on an older version loses, naming the holder', () => {
    const rows = new Map([[IP, row(7, 'c1')]]);
    const ok = pending(put(makeRecord(IP, 'c1')), 7);
    const stale = pending(put(makeRecord(IP, 'c2')), 5);
    expect(resolveBatch([ok], rows).winners).toEqual([ok]);
    const outcome = resolveBatch([stale], rows);
    expect(outcome.losers).toEqual([stale]);
    expect(stale.group.lost).toEqual({ ip: IP, holder: 'c1' });
    expect(outcome.final.size).toBe(0);
  });

  it('"no row" is a version too: binding a free address loses once someone bound it', () => {
    const fresh = pending(put(makeRecord(IP, 'c2')), null);
    expect(resolveBatch([fresh], new Map()).winners).toEqual([fresh]);
    const late = pending(put(makeRecord(IP, 'c3')), null);
    expect(resolveBatch([late], new Map([[IP, row(1, 'c2')]])).losers).toEqual([late]);
  });

  it('a request loses as a whole: its other writes are not applied', () => {
    const group: RequestGroup = {};
    const other = '198.51.100.11';
    const a = pending(put(makeRecord(other, 'c2')), null, group);
    const b = pending(put(makeRecord(IP, 'c2')), null, group);
    const outcome = resolveBatch([a, b], new Map([[IP, row(3, 'c1')]]));
    expect(outcome.winners).toEqual([]);
    expect(outcome.losers).toEqual([a, b]);
    expect(outcome.final.size).toBe(0);
  });

  it('a write based on this server\'s earlier write in the batch follows it; one based on a lost write loses', () => {
    const first = pending(put(makeRecord(IP, 'c1')), 2);
    const second = pending(put(makeRecord(IP, 'c1', { state: 'renewing' })), first);
    const outcome = resolveBatch([first, second], new Map([[IP, row(2, 'c1')]]));
    expect(outcome.winners).toEqual([first, second]);
    expect(outcome.final.get(IP)).toBe(second.write.kind === 'put' ? second.write.record : undefined);
    const lostFirst = pending(put(makeRecord(IP, 'c1')), 1);
    const follower = pending(put(makeRecord(IP, 'c1')), lostFirst);
    expect(resolveBatch([lostFirst, follower], new Map([[IP, row(2, 'c9')]])).losers).toEqual([lostFirst, follower]);
  });

  it('a write that would change nothing wins without being written (the same timer on two servers)', () => {
    const record = makeRecord(IP, 'c1', { state: 'expired' });
    const same = pending(put(record), 1);
    const outcome = resolveBatch([same], new Map([[IP, row(9, 'c1', JSON.parse(JSON.stringify(record)))]]));
    expect(outcome.winners).toEqual([same]);
    expect(outcome.final.size).toBe(0);
    expect(resolveBatch([pending(del(IP), 1)], new Map()).winners).toHaveLength(1);
  });

  it('a failed write (never reached the database) passes its basis on', () => {
    const failed = pending(put(makeRecord(IP, 'c1')), 4);
    failed.state = 'failed';
    const next = pending(put(makeRecord(IP, 'c1')), failed);
    expect(resolveBatch([next], new Map([[IP, row(4, 'c1')]])).winners).toEqual([next]);
  });
});
