// The client table against a plain model (a Map of until-times and a Map of lanes), under random parks, takes,
// evictions, lanes opened and ended, and time moving on: its slots, generations and ring of records must agree.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WaitingClients } from '../../../src/router/waiting-clients.js';

const WAIT = 100;
type Op =
  | { kind: 'park' | 'take' | 'open' | 'end'; client: number; dt: number }
  | { kind: 'evict' | 'size'; dt: number };

const client = fc.integer({ min: 0, max: 30 });
const dt = fc.integer({ min: 0, max: 40 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('park' as const, 'take' as const, 'open' as const, 'end' as const), client, dt }),
  fc.record({ kind: fc.constantFrom('evict' as const, 'size' as const), dt }),
);

/** The table's old two-Map behaviour: until-times in park order (a re-park moves to the back), lanes beside. */
class Model {
  readonly until = new Map<string, number>();
  readonly lanes = new Map<string, object>();
  evicted = 0;
  sweep(now: number): void {
    for (const [k, u] of this.until) if (u <= now) this.until.delete(k);
  }
  park(k: string, now: number): void {
    this.until.delete(k);
    this.until.set(k, now + WAIT);
    this.sweep(now);
  }
  take(k: string, now: number): boolean {
    const u = this.until.get(k);
    this.until.delete(k);
    return u !== undefined && now < u;
  }
  evict(now: number): boolean {
    this.sweep(now);
    const first = this.until.keys().next();
    if (first.done === true) return false;
    this.until.delete(first.value);
    this.evicted++;
    return true;
  }
}

describe('WaitingClients as a client table', () => {
  it('agrees with the two-Map model on every answer', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
      const table = new WaitingClients<object>(WAIT);
      const model = new Model();
      let now = 1_000;
      for (const o of ops) {
        now += o.dt;
        if (o.kind === 'evict') {
          expect(table.evictOldest(now)).toBe(model.evict(now));
        } else if (o.kind === 'size') {
          model.sweep(now);
          expect(table.size(now)).toBe(model.until.size);
        } else {
          const key = `c${o.client}`;
          if (o.kind === 'park') {
            table.park(key, now);
            model.park(key, now);
          } else if (o.kind === 'take') {
            expect(table.take(key, now)).toBe(model.take(key, now));
          } else if (o.kind === 'open') {
            const lane = {};
            table.setLane(key, table.slot(key), lane);
            model.lanes.set(key, lane);
          } else {
            const slot = table.slot(key);
            if (table.laneAt(slot) !== undefined) table.endLane(slot);
            model.lanes.delete(key);
          }
        }
        expect(table.laneCount).toBe(model.lanes.size);
        for (let c = 0; c <= 30; c++) expect(table.laneAt(table.slot(`c${c}`))).toBe(model.lanes.get(`c${c}`));
      }
      model.sweep(now);
      expect(table.size(now)).toBe(model.until.size);
      expect(table.evicted).toBe(model.evicted);
      expect(new Set(table.allLanes())).toEqual(new Set(model.lanes.values()));
    }), { numRuns: 300 });
  });

  it('lets a client\'s slot go once it holds neither a lane nor a wait (no growth)', () => {
    const table = new WaitingClients<object>(WAIT);
    for (let i = 0; i < 10_000; i++) {
      const key = `c${i}`;
      const slot = table.setLane(key, table.slot(key), {});
      table.parkAt(slot, i);
      table.endLane(slot);
      expect(table.takeAt(table.slot(key), i + 1)).toBe(true);
      table.releaseIfIdle(table.slot(key));
    }
    expect(table.slot('c9999')).toBe(-1);
    expect((table as unknown as { keys: unknown[] }).keys.length).toBe(1);
  });
});
