// Adaptive tuning on the manual clock: the commit window widens under a high commit rate and narrows when commits
// grow few, slow or stop; the batch limit grows when batches fill and shrinks when commits are slow; the cache
// grows when full and useful and shrinks when mostly empty; V8's heap growth rises while requests are lost to a full
// receive queue and returns after a calm spell; every value stays within its bounds, is applied (to the store, to
// V8), reported in the snapshot and logged when it changes.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { AdaptiveTuner, type CacheUse, type CommitCounters, type TuningPolicy } from '../../../src/tuning/adaptive-tuner.js';
import { tuningPolicy } from '../../../src/tuning/policy.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { baseConfig, compiled } from '../config/helpers.js';

const POLICY: TuningPolicy = {
  intervalMs: 1000, latencyBudgetMs: 20,
  commitIntervalMs: { min: 0, max: 8 }, maxBatch: { min: 64, max: 1000 }, cacheEntries: { min: 1024, max: 16_384 },
  overloadHeapGrowingPercent: 100, calmBackgroundNice: 10,
};

/** A fake committer whose counters the test advances, and a fake cache use. */
function rig(start = { commitIntervalMs: 2, maxBatch: 1000 }) {
  const clock = new ManualClock();
  const lines: { knob: string; from: number; to: number; reason: string }[] = [];
  let limits = start;
  const counters: { -readonly [K in keyof CommitCounters]: number } = { commits: 0, committedWrites: 0, commitMs: 0, fullBatches: 0 };
  let cache: CacheUse = { hits: 0, entries: 16_000 };
  const tuner = new AdaptiveTuner(POLICY, {
    clock,
    log: { info: (obj) => lines.push(obj as (typeof lines)[number]) },
    commits: { commitLimits: () => limits, setCommitLimits: (next) => (limits = next), commitStats: () => ({ ...counters }) },
    cache: () => cache,
    cacheTtlMs: 10_000,
  });
  tuner.start();
  /** One interval of load: `commits` commits of `writes` each taking `ms`, and `full` full batches. */
  const second = (commits: number, writes: number, ms: number, full = 0): void => {
    counters.commits += commits;
    counters.committedWrites += commits * writes;
    counters.commitMs += commits * ms;
    counters.fullBatches += full;
    clock.advance(1000);
  };
  return { tuner, clock, lines, second, limits: () => limits, setCache: (c: CacheUse) => (cache = c) };
}

describe('adaptive tuner', () => {
  it('widens the commit window under many small commits, up to its bound, and applies it to the store', () => {
    const { tuner, second, limits, lines } = rig();
    second(0, 0, 0); // the first look only takes the counters
    second(2000, 2, 0.3);
    expect(limits().commitIntervalMs).toBe(4);
    second(2000, 2, 0.3);
    second(2000, 2, 0.3);
    expect(limits().commitIntervalMs).toBe(8);
    expect(tuner.snapshot()).toMatchObject({ commitIntervalMs: 8, maxBatch: 1000 });
    expect(lines.filter((l) => l.knob === 'commitIntervalMs').map((l) => [l.from, l.to])).toEqual([[2, 4], [4, 8]]);
    expect(lines[0]?.reason).toMatch(/2000 commits\/s of 2.0 writes/);
  });

  it('widens under a high commit rate of batches that are not small (the syncs\' count is the cost), within the budget', () => {
    // perfdhcp relay at 6,000 DORA/s: ~310 commits/s of ~16 writes, each ~2.7 ms.
    const busy = rig({ commitIntervalMs: 2, maxBatch: 1000 });
    busy.second(0, 0, 0);
    busy.second(310, 16, 2.7);
    expect(busy.limits().commitIntervalMs).toBe(4);
    busy.second(200, 30, 2.7);
    expect(busy.limits().commitIntervalMs).toBe(8);
    expect(busy.lines.map((l) => l.reason)).toEqual(['310 commits/s of 16.0 writes', '200 commits/s of 30.0 writes']);

    const nearBudget = rig({ commitIntervalMs: 4, maxBatch: 1000 });
    nearBudget.second(0, 0, 0);
    nearBudget.second(150, 40, 14); // 14 ms + 8 ms would pass the 20 ms budget: only up to 6
    expect(nearBudget.limits().commitIntervalMs).toBe(6);
    nearBudget.second(150, 40, 14);
    expect(nearBudget.limits().commitIntervalMs).toBe(6);
  });

  it('holds the window between the busy and the quiet commit rates (no flapping)', () => {
    const { second, limits, lines } = rig({ commitIntervalMs: 8, maxBatch: 1000 });
    second(0, 0, 0);
    for (let i = 0; i < 5; i++) second(80, 75, 2.5); // 6,000 writes/s gathered 8 ms at a time
    expect(limits().commitIntervalMs).toBe(8);
    expect(lines).toEqual([]);
  });

  it('narrows the window when commits are few, when commits are slow, and when idle', () => {
    const few = rig({ commitIntervalMs: 8, maxBatch: 1000 });
    few.second(0, 0, 0);
    few.second(40, 100, 1);
    expect(few.limits().commitIntervalMs).toBe(4);

    const slow = rig({ commitIntervalMs: 8, maxBatch: 1000 });
    slow.second(0, 0, 0);
    slow.second(50, 4, 15); // 15 ms + 8 ms window > 20 ms budget
    expect(slow.limits().commitIntervalMs).toBe(4);

    const idle = rig({ commitIntervalMs: 8, maxBatch: 1000 });
    idle.second(0, 0, 0);
    for (let i = 0; i < 5; i++) idle.second(0, 0, 0);
    expect(idle.limits().commitIntervalMs).toBe(0);
  });

  it('grows the batch limit when batches fill, and halves it when commits exceed the budget, within bounds', () => {
    const { second, limits } = rig({ commitIntervalMs: 0, maxBatch: 100 });
    second(0, 0, 0);
    second(50, 100, 2, 10);
    expect(limits().maxBatch).toBe(200);
    for (let i = 0; i < 5; i++) second(50, 200, 2, 10);
    expect(limits().maxBatch).toBe(1000);
    second(10, 1000, 40);
    expect(limits().maxBatch).toBe(500);
    for (let i = 0; i < 5; i++) second(10, 500, 40);
    expect(limits().maxBatch).toBe(64);
  });

  it('keeps the batch limit when commits are slow with batches well under it (the limit is not what slows them)', () => {
    const { second, limits, lines } = rig({ commitIntervalMs: 0, maxBatch: 1000 });
    second(0, 0, 0);
    // 50 writes per commit taking 40 ms: the synced write's thread waiting for the pinned core, as under perfdhcp.
    for (let i = 0; i < 3; i++) second(25, 50, 40);
    expect(limits().maxBatch).toBe(1000);
    expect(lines.filter((l) => l.knob === 'maxBatch')).toEqual([]);
    second(25, 600, 40); // batches past half the limit: the limit bounds their duration
    expect(limits().maxBatch).toBe(500);
  });

  it('grows the response cache when it is full and replaying, shrinks it when mostly empty', () => {
    const { tuner, clock, setCache } = rig();
    setCache({ hits: 10, entries: 100 });
    clock.advance(1000);
    expect(tuner.cacheLimits().maxEntries).toBe(8192);
    const same = tuner.cacheLimits();
    setCache({ hits: 10, entries: 8000 });
    clock.advance(1000);
    expect(tuner.cacheLimits()).toBe(same); // unchanged: the same object (read per packet)
    setCache({ hits: 50, entries: 8000 });
    clock.advance(1000);
    expect(tuner.cacheLimits()).toEqual({ maxEntries: 16_384, ttlMs: 10_000 });
    setCache({ hits: 90, entries: 16_384 });
    clock.advance(1000);
    expect(tuner.snapshot().responseCacheEntries).toBe(16_384); // at its bound
  });

  /** A tuner with a heap to tune: the receive counts the test advances, and what V8 was told. */
  function heapRig(startPercent = 25) {
    const clock = new ManualClock();
    const lines: { knob: string; from: number; to: number; reason: string }[] = [];
    const told: number[] = [];
    let load = { received: 0, lost: 0 };
    const tuner = new AdaptiveTuner(POLICY, {
      clock, log: { info: (obj) => lines.push(obj as (typeof lines)[number]) }, cache: () => ({ hits: 0, entries: 16_384 }), cacheTtlMs: 1,
      heap: { startPercent, setPercent: (percent) => told.push(percent) },
      receiveLoad: () => load,
    });
    tuner.start();
    /** One interval: `received` requests read and `lost` lost to the full queue. */
    const second = (received: number, lost: number): void => {
      load = { received: load.received + received, lost: load.lost + lost };
      clock.advance(1000);
    };
    return { tuner, told, lines, second };
  }

  it('raises the heap growth while requests are lost to a full receive queue, and restores it after ten calm looks', () => {
    const { tuner, told, lines, second } = heapRig();
    expect(tuner.snapshot().heapGrowingPercent).toBe(25);
    second(0, 0); // the first look only takes the counters
    second(40_000, 5_000); // perfdhcp at saturation: ~11 % lost
    expect(told).toEqual([100]);
    expect(tuner.snapshot().heapGrowingPercent).toBe(100);
    expect(lines.at(-1)).toMatchObject({ knob: 'heapGrowingPercent', from: 25, to: 100, reason: '5000 of 45000 requests lost to a full receive queue' });
    for (let i = 0; i < 5; i++) second(40_000, 0);
    second(40_000, 3_000); // overloaded again: the calm count starts over
    for (let i = 0; i < 9; i++) second(40_000, 0);
    expect(told).toEqual([100]);
    second(40_000, 0);
    expect(told).toEqual([100, 25]);
    expect(lines.at(-1)).toMatchObject({ knob: 'heapGrowingPercent', from: 100, to: 25, reason: 'no overload for 10 looks' });
  });

  it('leaves the heap alone for the few losses of a flood it keeps up with, and when already growing as much', () => {
    // Issue 10's hostile run: 20,000 datagrams a second, a few hundred lost over the whole flood.
    const flood = heapRig();
    for (let i = 0; i < 20; i++) flood.second(20_000, 30);
    expect(flood.told).toEqual([]);
    expect(flood.lines).toEqual([]);

    const generous = heapRig(150);
    generous.second(0, 0);
    generous.second(40_000, 5_000);
    for (let i = 0; i < 12; i++) generous.second(40_000, 0);
    expect(generous.told).toEqual([]);
    expect(generous.tuner.snapshot().heapGrowingPercent).toBe(150);
  });

  it('reports no heap growth when it has none to tune (V8\'s own dynamic growth)', () => {
    const { tuner } = rig();
    expect(tuner.snapshot()).not.toHaveProperty('heapGrowingPercent');
    expect(tuner.snapshot()).not.toHaveProperty('backgroundNice');
  });

  it('nices the storage engine\'s threads while calm, gives them their share back while overloaded, and looks for new ones each interval', () => {
    const clock = new ManualClock();
    const lines: { knob: string; from: number; to: number; reason: string }[] = [];
    const told: number[] = [];
    let scans = 0;
    let load = { received: 0, lost: 0 };
    const tuner = new AdaptiveTuner(POLICY, {
      clock, log: { info: (obj) => lines.push(obj as (typeof lines)[number]) }, cache: () => ({ hits: 0, entries: 16_384 }), cacheTtlMs: 1,
      background: { setNice: (nice) => told.push(nice), scan: () => void scans++ },
      receiveLoad: () => load,
    });
    tuner.start();
    const second = (received: number, lost: number): void => {
      load = { received: load.received + received, lost: load.lost + lost };
      clock.advance(1000);
    };
    expect(told).toEqual([10]); // from the start
    expect(tuner.snapshot()).toMatchObject({ backgroundNice: 10 });
    second(0, 0);
    second(40_000, 5_000);
    expect(told).toEqual([10, 0]);
    expect(tuner.snapshot()).toMatchObject({ backgroundNice: 0 });
    expect(lines.at(-1)).toMatchObject({ knob: 'backgroundNice', from: 10, to: 0, reason: '5000 of 45000 requests lost to a full receive queue' });
    for (let i = 0; i < 9; i++) second(40_000, 0);
    expect(told).toEqual([10, 0]);
    second(40_000, 0);
    expect(told).toEqual([10, 0, 10]);
    expect(lines.at(-1)).toMatchObject({ knob: 'backgroundNice', from: 0, to: 10, reason: 'no overload for 10 looks' });
    expect(scans).toBe(12);
    expect(tuner.snapshot()).not.toHaveProperty('heapGrowingPercent');
    tuner.stop();
  });

  it('stops looking when stopped', () => {
    const { tuner, second, limits } = rig();
    second(0, 0, 0);
    tuner.stop();
    second(2000, 2, 0.3);
    expect(limits().commitIntervalMs).toBe(2);
  });

  it('retunes a real store: its committer takes the new limits', async () => {
    const config = compiled({ ...baseConfig(), store: { kind: 'memory', commitIntervalMs: 5, maxBatch: 500 } });
    const policy = tuningPolicy(config);
    expect(policy.commitIntervalMs).toEqual({ min: 0, max: 5 });
    expect(policy.maxBatch).toEqual({ min: 64, max: 500 });
    const store = await openMemoryStore({ commitIntervalMs: 5, maxBatch: 500 });
    const clock = new ManualClock();
    const tuner = new AdaptiveTuner(policy, { clock, log: { info: () => {} }, commits: store, cache: () => ({ hits: 0, entries: 0 }), cacheTtlMs: 1 });
    tuner.start();
    clock.advance(1000);
    clock.advance(1000); // idle: the window halves
    expect(store.commitLimits()).toEqual({ commitIntervalMs: 2, maxBatch: 500 });
    await store.close();
  });
});
