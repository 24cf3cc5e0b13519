// Restart strategies as data: exponential backoff with jitter, and the restart-intensity window.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, DEFAULT_SEND_RETRY, DEFAULT_STRATEGIES, backoffDelay, type BackoffPolicy, type RestartStrategy } from '../../../src/config/supervision-policy.js';
import { recordRestart } from '../../../src/supervisor/strategy.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);
const exact: BackoffPolicy = { initialMs: 100, maxMs: 5_000, factor: 2, jitter: 0 };
const mid = () => 0.5;

describe('backoffDelay', () => {
  it('grows by the factor from the initial delay, attempt 1 first', () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(exact, a))).toEqual([100, 200, 400, 800, 1_600]);
    expect(backoffDelay({ ...exact, factor: 3 }, 3)).toBe(900);
  });

  it('is capped at maxMs, also for absurd attempt numbers', () => {
    expect([6, 7, 20, 1_000, 100_000].map((a) => backoffDelay(exact, a))).toEqual([3_200, 5_000, 5_000, 5_000, 5_000]);
  });

  it('treats attempt 0 or below like the first', () => {
    expect(backoffDelay(exact, 0)).toBe(100);
    expect(backoffDelay(exact, -3)).toBe(100);
  });

  it('a random draw of one half gives the unjittered delay', () => {
    expect(backoffDelay(DEFAULT_BACKOFF, 3, mid)).toBe(400);
    expect(backoffDelay(DEFAULT_BACKOFF, 50, mid)).toBe(DEFAULT_BACKOFF.maxMs);
  });

  it('jitter spreads each delay within ±jitter of its base, both ends reached', () => {
    const p: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000, factor: 2, jitter: 0.25 };
    expect(backoffDelay(p, 1, () => 0)).toBe(750);
    expect(backoffDelay(p, 1, () => 0.999_999_9)).toBe(1_250);
    expect(backoffDelay(p, 2, () => 0)).toBe(1_500);
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      (attempt, draw, jitter) => {
        const policy = { ...p, jitter };
        const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** (attempt - 1));
        const delay = backoffDelay(policy, attempt, () => draw);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(base * (1 - jitter)));
        expect(delay).toBeLessThanOrEqual(Math.ceil(base * (1 + jitter)));
      },
    ), { numRuns: RUNS });
  });

  it('different draws give different delays (restarts of many actors do not align)', () => {
    const delays = new Set([0, 0.25, 0.5, 0.75].map((r) => backoffDelay(DEFAULT_BACKOFF, 4, () => r)));
    expect(delays.size).toBe(4);
  });
});

describe('recordRestart', () => {
  const strategy: RestartStrategy = { kind: 'one-for-one', backoff: exact, maxRestarts: 3, windowMs: 10_000, onPermanent: 'restart' };

  it('escalates on the first restart beyond maxRestarts inside the window', () => {
    let history: number[] = [];
    const escalations: boolean[] = [];
    for (const now of [1_000, 2_000, 3_000, 4_000]) {
      const r = recordRestart(strategy, history, now);
      history = r.history;
      escalations.push(r.escalate);
    }
    expect(escalations).toEqual([false, false, false, true]);
    expect(history).toEqual([1_000, 2_000, 3_000, 4_000]);
  });

  it('forgets restarts older than the window (exactly windowMs old is out)', () => {
    const r = recordRestart(strategy, [0, 5_000, 9_000], 10_000);
    expect(r.history).toEqual([5_000, 9_000, 10_000]);
    expect(r.escalate).toBe(false);
    expect(recordRestart(strategy, [1, 5_000, 9_000], 10_000).escalate).toBe(true);
  });

  it('spread-out restarts never escalate', () => {
    let history: number[] = [];
    for (let i = 0; i < 50; i++) {
      const r = recordRestart(strategy, history, i * 4_000);
      expect(r.escalate).toBe(false);
      history = r.history;
    }
    expect(history.length).toBeLessThanOrEqual(3);
  });

  it('does not modify the history it is given', () => {
    const history = Object.freeze([1_000, 2_000]) as readonly number[];
    recordRestart(strategy, history, 3_000);
    expect(history).toEqual([1_000, 2_000]);
  });
});

describe('defaults', () => {
  it('are sane: jitter in 0..1, caps above the initial delay, limits positive', () => {
    const policies = [DEFAULT_BACKOFF, DEFAULT_SEND_RETRY.backoff, ...Object.values(DEFAULT_STRATEGIES).map((s) => s.backoff)];
    for (const p of policies) {
      expect(p.jitter).toBeGreaterThanOrEqual(0);
      expect(p.jitter).toBeLessThanOrEqual(1);
      expect(p.maxMs).toBeGreaterThanOrEqual(p.initialMs);
      expect(p.factor).toBeGreaterThanOrEqual(1);
    }
    for (const s of Object.values(DEFAULT_STRATEGIES)) expect(s.maxRestarts).toBeGreaterThan(0);
    expect(DEFAULT_SEND_RETRY.attempts).toBeGreaterThan(1);
  });
});
