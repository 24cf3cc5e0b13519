// Adaptive tuning: the group commit's gathering window and batch size, the response cache's size, V8's old
// generation growth and the storage engine's threads' niceness follow the measured load (commit rate, commit latency,
// writes per commit, full batches, cache use, requests lost to a full receive queue) within configured bounds. One
// look per interval; every change is logged with its reason and the current values are in statistics.
import type { Clock, TimerHandle } from '../clock.js';
import type { ReceiveLoad } from '../net/types.js';
import type { BackgroundThreads } from './background-threads.js';
import type { HeapGrowth } from './v8-heap.js';

export interface Bounds {
  readonly min: number;
  readonly max: number;
}

export interface TuningPolicy {
  /** How often the load is looked at (ms). */
  readonly intervalMs: number;
  /** Longest a commit may take, gathering window included, before the window and the batch shrink (ms). */
  readonly latencyBudgetMs: number;
  readonly commitIntervalMs: Bounds;
  readonly maxBatch: Bounds;
  readonly cacheEntries: Bounds;
  /** The old generation's growth (percent) while overloaded; the process's own when not. */
  readonly overloadHeapGrowingPercent: number;
  /** The storage engine's threads' niceness when not overloaded (0 while overloaded). */
  readonly calmBackgroundNice: number;
}

/** The cumulative counters of a group committer (src/store/group-commit.ts) the tuner reads. */
export interface CommitCounters {
  readonly commits: number;
  readonly committedWrites: number;
  readonly commitMs: number;
  readonly fullBatches: number;
}

/** A group commit the tuner may retune (a store that supports it). */
export interface CommitKnobs {
  commitLimits(): { readonly maxBatch: number; readonly commitIntervalMs: number };
  setCommitLimits(limits: { readonly maxBatch: number; readonly commitIntervalMs: number }): void;
  commitStats(): CommitCounters;
}

/** What the tuner reads of the response cache. */
export interface CacheUse {
  readonly hits: number;
  readonly entries: number;
}

export interface TuningLogger {
  info(obj: object, msg?: string): void;
}

export interface TuningSnapshot {
  readonly commitIntervalMs: number;
  readonly maxBatch: number;
  readonly responseCacheEntries: number;
  /** V8's old generation growth in force (percent); absent when the process runs with V8's own dynamic growth. */
  readonly heapGrowingPercent?: number;
  /** The storage engine's threads' niceness in force; absent when they are not tuned (no /proc, or not the daemon). */
  readonly backgroundNice?: number;
  /** Changes made since the start. */
  readonly changes: number;
}

type Knob = 'commitIntervalMs' | 'maxBatch' | 'responseCacheEntries' | 'heapGrowingPercent' | 'backgroundNice';

/**
 * Commits per second at or above which the window widens, and below which it narrows. Each synced commit costs the
 * server's core about 0.2 ms whatever its size (LevelDB's write thread and the fsync's kernel work, measured at
 * 310 commits/s under perfdhcp relay load at 6,000 DORA/s), so at 100 a second a wider window buys back a few
 * percent of the core for a few ms of ACK latency; at under 50 there is little left to save. Not a writes-per-commit
 * rule: the batches of a busy server are already large (16 at 6,000 DORA/s), yet the syncs' count is the cost.
 */
const BUSY_COMMITS_PER_S = 100;
const QUIET_COMMITS_PER_S = 50;
/** Share of the batch limit a busy interval's average commit must reach for a slow commit to halve the limit. */
const NEAR_FULL = 0.5;
/** The cache grows when at least this full and replaying retransmissions; shrinks when under a quarter used. */
const CACHE_FULL = 0.9;
/**
 * Share of the arriving requests lost to overload in an interval that makes it an overloaded one. A datagram flood the
 * server keeps up with loses a few to bursts (issue 10's 10⁶ hostile packets at 20,000/s: 87-1,311 in all, ~0.1 %);
 * perfdhcp at saturation loses 10-15 %.
 */
const OVERLOADED_SHARE = 0.01;
/** Intervals without overload after which the heap's growth and the threads' niceness return to their calm values. */
const CALM_LOOKS = 10;

export class AdaptiveTuner {
  private values: Record<Knob, number>;
  private changes = 0;
  private lastCommits: CommitCounters | undefined;
  private lastHits: number | undefined;
  private lastLoad: ReceiveLoad | undefined;
  private calmLooks = 0;
  private readonly heapBounds: Bounds | undefined;
  private timer: TimerHandle | undefined;
  private cacheLimit: { readonly maxEntries: number; readonly ttlMs: number };

  constructor(
    private readonly policy: TuningPolicy,
    private readonly sources: {
      readonly clock: Clock;
      readonly log: TuningLogger;
      /** Absent when the store cannot be retuned (its configured limits then stay). */
      readonly commits?: CommitKnobs;
      readonly cache: () => CacheUse;
      readonly cacheTtlMs: number;
      /** Absent when the heap is not tuned (V8's dynamic growth). */
      readonly heap?: HeapGrowth;
      /** Absent when the storage engine's threads are not tuned. */
      readonly background?: BackgroundThreads;
      /** Absent when the transport cannot tell its losses (the heap and the threads are then not tuned either). */
      readonly receiveLoad?: () => ReceiveLoad;
    },
  ) {
    const limits = sources.commits?.commitLimits();
    const start = sources.heap?.startPercent;
    this.heapBounds = start === undefined ? undefined : { min: start, max: Math.max(start, policy.overloadHeapGrowingPercent) };
    this.values = {
      commitIntervalMs: clamp(limits?.commitIntervalMs ?? policy.commitIntervalMs.max, policy.commitIntervalMs),
      maxBatch: clamp(limits?.maxBatch ?? policy.maxBatch.max, policy.maxBatch),
      responseCacheEntries: policy.cacheEntries.max,
      heapGrowingPercent: start ?? 0,
      backgroundNice: sources.background === undefined ? 0 : policy.calmBackgroundNice,
    };
    sources.background?.setNice(this.values.backgroundNice);
    this.cacheLimit = { maxEntries: this.values.responseCacheEntries, ttlMs: sources.cacheTtlMs };
    this.applyCommitLimits();
  }

  /** The response cache's limits now: the same object until the size changes (read per packet). */
  cacheLimits(): { readonly maxEntries: number; readonly ttlMs: number } {
    return this.cacheLimit;
  }

  start(): void {
    if (this.timer !== undefined) return;
    const tick = (): void => {
      this.tick();
      this.timer = this.sources.clock.setTimer(this.policy.intervalMs, tick);
    };
    this.timer = this.sources.clock.setTimer(this.policy.intervalMs, tick);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  snapshot(): TuningSnapshot {
    const { heapGrowingPercent, backgroundNice, ...values } = this.values;
    return {
      ...values,
      ...(this.heapBounds === undefined ? {} : { heapGrowingPercent }),
      ...(this.sources.background === undefined ? {} : { backgroundNice }),
      changes: this.changes,
    };
  }

  /** One look at the load since the last one (the timer calls it; tests call it directly). */
  tick(): void {
    this.tuneCommits();
    this.tuneCache();
    this.sources.background?.scan();
    this.tuneOverload();
  }

  /**
   * Overloaded: V8's old generation grows more between mark-compacts (fewer of them, the core left to the requests),
   * and the storage engine's threads get their full share (a compaction that falls behind stalls every write);
   * calm for a while: back to the process's own growth, lean on memory, and the threads niced, so that their bursts
   * wait for the idle time instead of halving the requests' share (background-threads.ts). Measured
   * (bench/README.md): perfdhcp at saturation, 3 mark-compacts in 8 s instead of 12; goodput +2 % in 22 alternating
   * rounds (within their ±10 %; as flags, +3 to +6 % in four sets of six). The heap holds at most twice its live data
   * between mark-compacts instead of 1.25 times, and only while overloaded.
   */
  private tuneOverload(): void {
    const { heap, background, receiveLoad } = this.sources;
    if (receiveLoad === undefined || (heap === undefined && background === undefined)) return;
    const now = receiveLoad();
    const last = this.lastLoad;
    this.lastLoad = now;
    if (last === undefined) return;
    const lost = now.lost - last.lost;
    const arrived = now.received - last.received + lost;
    const { heapGrowingPercent, backgroundNice } = this.values;
    const bounds = this.heapBounds;
    if (lost > 0 && lost >= arrived * OVERLOADED_SHARE) {
      this.calmLooks = 0;
      const reason = `${lost} of ${arrived} requests lost to a full receive queue`;
      if (bounds !== undefined) this.set('heapGrowingPercent', bounds.max, reason);
      if (background !== undefined) this.set('backgroundNice', 0, reason);
    } else if (++this.calmLooks >= CALM_LOOKS) {
      const reason = `no overload for ${CALM_LOOKS} looks`;
      if (bounds !== undefined) this.set('heapGrowingPercent', bounds.min, reason);
      if (background !== undefined) this.set('backgroundNice', this.policy.calmBackgroundNice, reason);
    }
    if (this.values.heapGrowingPercent !== heapGrowingPercent) heap?.setPercent(this.values.heapGrowingPercent);
    if (this.values.backgroundNice !== backgroundNice) background?.setNice(this.values.backgroundNice);
  }

  private tuneCommits(): void {
    const { commits } = this.sources;
    if (commits === undefined) return;
    const now = commits.commitStats();
    const last = this.lastCommits;
    this.lastCommits = now;
    if (last === undefined) return;
    if (now.commits === last.commits) {
      // Idle: the next request after a pause should not wait for company.
      this.set('commitIntervalMs', Math.floor(this.values.commitIntervalMs / 2), 'idle');
    } else {
      this.tuneBusy(last, now);
    }
    this.applyCommitLimits();
  }

  private tuneBusy(last: CommitCounters, now: CommitCounters): void {
    const count = now.commits - last.commits;
    const window = this.values.commitIntervalMs;
    const perCommit = (now.committedWrites - last.committedWrites) / count;
    const commitMs = (now.commitMs - last.commitMs) / count;
    const perSecond = (count * 1000) / this.policy.intervalMs;
    const budget = this.policy.latencyBudgetMs;
    const load = `${perSecond.toFixed(0)} commits/s of ${perCommit.toFixed(1)} writes`;
    if (commitMs + window > budget) {
      this.set('commitIntervalMs', Math.floor(window / 2), `commits take ${commitMs.toFixed(1)} ms`);
    } else if (perSecond >= BUSY_COMMITS_PER_S) {
      // The window comes on top of each commit's own time: widen only as far as the budget leaves room for.
      this.set('commitIntervalMs', Math.min(Math.max(1, window * 2), Math.floor(budget - commitMs)), load);
    } else if (perSecond < QUIET_COMMITS_PER_S) {
      this.set('commitIntervalMs', Math.floor(window / 2), load);
    }
    const batch = this.values.maxBatch;
    // Only batches near the limit make the limit the cause of a slow commit; small ones slow for another reason
    // (the disk, or the synced write's thread waiting for the server's pinned core) would only be split into more
    // commits that each wait as long, and the writes past the limit would wait a whole commit more.
    if (commitMs > budget && perCommit >= batch * NEAR_FULL) {
      this.set('maxBatch', Math.floor(batch / 2), `commits of ${perCommit.toFixed(0)} writes take ${commitMs.toFixed(1)} ms`);
    } else if (now.fullBatches > last.fullBatches && commitMs < budget / 2) {
      this.set('maxBatch', batch * 2, `${now.fullBatches - last.fullBatches} full batches left writes queued`);
    }
  }

  private tuneCache(): void {
    const { hits, entries } = this.sources.cache();
    const hitsNow = this.lastHits === undefined ? 0 : hits - this.lastHits;
    this.lastHits = hits;
    const size = this.values.responseCacheEntries;
    if (entries >= size * CACHE_FULL && hitsNow > 0) {
      this.set('responseCacheEntries', size * 2, `full, ${hitsNow} retransmissions replayed`);
    } else if (entries < size / 4) {
      this.set('responseCacheEntries', Math.floor(size / 2), `${entries} of ${size} entries used`);
    }
    if (this.cacheLimit.maxEntries !== this.values.responseCacheEntries) {
      this.cacheLimit = { maxEntries: this.values.responseCacheEntries, ttlMs: this.sources.cacheTtlMs };
    }
  }

  private set(knob: Knob, wanted: number, reason: string): void {
    const bounds = this.boundsOf(knob);
    const from = this.values[knob];
    const to = clamp(wanted, bounds);
    if (to === from) return;
    this.values[knob] = to;
    this.changes++;
    this.sources.log.info({ evt: 'tuning.changed', knob, from, to, reason }, `${knob} ${from} -> ${to}: ${reason}`);
  }

  private boundsOf(knob: Knob): Bounds {
    if (knob === 'responseCacheEntries') return this.policy.cacheEntries;
    if (knob === 'heapGrowingPercent') return this.heapBounds ?? { min: 0, max: 0 };
    if (knob === 'backgroundNice') return { min: 0, max: this.policy.calmBackgroundNice };
    return this.policy[knob];
  }

  private applyCommitLimits(): void {
    const { commits } = this.sources;
    if (commits === undefined) return;
    const current = commits.commitLimits();
    const { commitIntervalMs, maxBatch } = this.values;
    if (current.commitIntervalMs !== commitIntervalMs || current.maxBatch !== maxBatch) {
      commits.setCommitLimits({ commitIntervalMs, maxBatch });
    }
  }
}

function clamp(value: number, { min, max }: Bounds): number {
  return Math.min(max, Math.max(min, Math.round(value)));
}
