// The aggregated log: one line per event and reason per interval with the count, quiet windows close, the number
// of tracked pairs is bounded, flush reports what is pending.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AggregatedLog } from '../../src/aggregated-log.js';
import { ManualClock } from '../../src/clock.js';

function setup(maxKeys?: number) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) });
  const clock = new ManualClock();
  const agg = new AggregatedLog({ clock, log: pino({ level: 'debug' }, sink), intervalMs: 1_000, ...(maxKeys ? { maxKeys } : {}) });
  return { lines, clock, agg, counts: (evt: string) => lines.filter((l) => l['evt'] === evt).map((l) => l['count']) };
}

describe('AggregatedLog', () => {
  it('logs the first note at once and the rest of each interval as one line with its count', async () => {
    const { agg, clock, counts } = setup();
    for (let i = 0; i < 1_000; i++) agg.note('warn', 'send.failed', 'ENETUNREACH', 'reply not sent', { i });
    agg.note('warn', 'send.failed', 'EHOSTUNREACH', 'reply not sent');
    await new Promise((r) => setImmediate(r));
    expect(counts('send.failed')).toEqual([1, 1]);
    clock.advance(1_000);
    await new Promise((r) => setImmediate(r));
    expect(counts('send.failed')).toEqual([1, 1, 999]);
    clock.advance(1_000); // a quiet interval closes the window: the next note is logged at once again
    agg.note('warn', 'send.failed', 'ENETUNREACH', 'reply not sent');
    await new Promise((r) => setImmediate(r));
    expect(counts('send.failed')).toEqual([1, 1, 999, 1]);
  });

  it('bounds the pairs it tracks and says so; flush writes what is pending', async () => {
    const { agg, counts } = setup(3);
    for (let i = 0; i < 10; i++) agg.note('info', 'x', `r${i}`, 'x');
    agg.note('info', 'x', 'r0', 'x');
    agg.flush();
    await new Promise((r) => setImmediate(r));
    expect(counts('x')).toEqual([1, 1, 1, 1]);
    expect(counts('log.aggregate.overflow')).toEqual([1, 6]); // r3…r9: the first at once, six at flush
  });
});
