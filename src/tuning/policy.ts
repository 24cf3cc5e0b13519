// The bounds adaptive tuning works within, from the config: the configured commit window and batch size are the
// most it may use (so tuning never makes an ACK wait longer than configured), the response cache at most its
// default size.
import type { ServerConfig } from '../config/types.js';
import { DEFAULT_CACHE_LIMITS } from '../server/response-cache.js';
import type { TuningPolicy } from './adaptive-tuner.js';

/** Fewest writes a batch may be limited to, and fewest cache entries kept, whatever the load. */
const MIN_BATCH = 64;
const MIN_CACHE_ENTRIES = 1024;
/** V8's old generation growth while overloaded (src/tuning/v8-heap.ts; measured in bench/README.md). */
const OVERLOAD_HEAP_GROWING_PERCENT = 100;
/** The storage engine's threads' niceness when not overloaded (src/tuning/background-threads.ts; bench/README.md). */
const CALM_BACKGROUND_NICE = 10;

export function tuningPolicy(config: ServerConfig): TuningPolicy {
  const { commitIntervalMs, maxBatch } = config.store;
  return {
    intervalMs: 1000,
    latencyBudgetMs: 20,
    commitIntervalMs: { min: 0, max: commitIntervalMs },
    maxBatch: { min: Math.min(MIN_BATCH, maxBatch), max: maxBatch },
    cacheEntries: { min: Math.min(MIN_CACHE_ENTRIES, DEFAULT_CACHE_LIMITS.maxEntries), max: DEFAULT_CACHE_LIMITS.maxEntries },
    overloadHeapGrowingPercent: OVERLOAD_HEAP_GROWING_PERCENT,
    calmBackgroundNice: CALM_BACKGROUND_NICE,
  };
}
