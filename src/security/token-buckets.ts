// Token buckets by key with bounded memory: at most `maxBuckets` (the least recently used is forgotten first) and
// a bucket idle for `idleMs` is forgotten too. A forgotten bucket is a full one, so forgetting never blocks anyone.
import type { Rate } from '../config/security.js';

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  /** Insertion order is use order: every use re-inserts, so the first entry is the least recently used. */
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly limits: () => { readonly maxBuckets: number; readonly idleMs: number }) {}

  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token; false when the bucket is empty. */
  take(key: string, rate: Rate, now: number): boolean {
    const bucket = this.refill(key, rate, now);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Whether a token is there, without taking it. */
  has(key: string, rate: Rate, now: number): boolean {
    return this.refill(key, rate, now).tokens >= 1;
  }

  private refill(key: string, rate: Rate, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: rate.burst, at: now };
    } else {
      bucket.tokens = Math.min(rate.burst, bucket.tokens + ((now - bucket.at) / 1000) * rate.perSecond);
      bucket.at = now;
      this.buckets.delete(key);
    }
    this.buckets.set(key, bucket);
    this.evict(now);
    return bucket;
  }

  private evict(now: number): void {
    const { maxBuckets, idleMs } = this.limits();
    for (const [key, bucket] of this.buckets) {
      if (this.buckets.size <= maxBuckets && now - bucket.at < idleMs) return;
      this.buckets.delete(key);
    }
  }
}
