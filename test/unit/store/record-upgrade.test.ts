// Records stored before `holdUntil` was split into `graceUntil` and `probationUntil` are read in the new shape:
// an expired lease keeps its grace and its timer still fires, a declined address still leaves probation.
import { describe, expect, it } from 'vitest';
import { stepLease } from '../../../src/leases/lease-runner.js';
import { decodeRecord, encodeRecord } from '../../../src/store/record-codec.js';
import { makeRecord } from './helpers.js';

function legacy(state: 'expired' | 'declined' | 'bound', holdUntil: number, timerEvent: string): string {
  const record = makeRecord('198.51.100.10', 'hw:1:02:00:00:00:00:01', { state });
  const { graceUntil: _g, probationUntil: _p, ...context } = record.context;
  return JSON.stringify({ state, context: { ...context, holdUntil }, timers: [{ event: timerEvent, at: holdUntil }] });
}

describe('legacy lease records (holdUntil)', () => {
  it('an expired lease: holdUntil is its grace deadline, and its grace timer still moves it on', () => {
    const record = decodeRecord(legacy('expired', 5_000, 'xstate.after.hold.lease.expired'));
    expect(record.context).toMatchObject({ graceUntil: 5_000, probationUntil: 0 });
    expect(record.context).not.toHaveProperty('holdUntil');
    expect(record.timers).toEqual([{ event: 'xstate.after.grace.lease.expired', at: 5_000 }]);
    expect(stepLease(record, { type: record.timers[0]!.event })?.state).toBe('reclaimed');
  });

  it('a declined address: holdUntil is its probation, and its probation timer still ends it', () => {
    const record = decodeRecord(legacy('declined', 7_000, 'xstate.after.hold.lease.declined'));
    expect(record.context).toMatchObject({ graceUntil: 0, probationUntil: 7_000 });
    expect(record.timers).toEqual([{ event: 'xstate.after.probation.lease.declined', at: 7_000 }]);
    expect(stepLease(record, { type: record.timers[0]!.event })?.state).toBe('reclaimed');
  });

  it('a current record is read back unchanged', () => {
    const record = makeRecord('198.51.100.11', 'hw:1:02:00:00:00:00:02', { state: 'bound' });
    expect(decodeRecord(encodeRecord(record))).toEqual(record);
  });
});
