// Bounded retry of transient failures, timed by a ManualClock that the test moves.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { DhcpdError, NetError, StoreError } from '../../../src/errors.js';
import { retry } from '../../../src/supervisor/retry.js';
import type { RetryPolicy } from '../../../src/config/supervision-policy.js';

const policy: RetryPolicy = { attempts: 4, backoff: { initialMs: 10, maxMs: 1_000, factor: 2, jitter: 0 } };
const enobufs = () => Object.assign(new Error('send ENOBUFS'), { code: 'ENOBUFS' });
const flush = () => new Promise<void>((r) => setImmediate(r));

/** Runs `retry` and a driver that moves the clock `stepMs` at a time until it settles (bounded). */
async function drive<T>(clock: ManualClock, run: Promise<T>, stepMs = 1): Promise<{ ok: boolean; value?: T; error?: unknown }> {
  let outcome: { ok: boolean; value?: T; error?: unknown } | undefined;
  run.then((value) => { outcome = { ok: true, value }; }, (error: unknown) => { outcome = { ok: false, error }; });
  for (let i = 0; i < 10_000 && outcome === undefined; i++) {
    await flush();
    if (outcome === undefined) clock.advance(stepMs);
  }
  if (outcome === undefined) throw new Error('retry never settled');
  return outcome;
}

function failing(failures: number, make: () => unknown = enobufs) {
  const calls: number[] = [];
  return {
    calls,
    op: (clock: ManualClock) => async () => {
      calls.push(clock.now());
      if (calls.length <= failures) throw make();
      return 'sent';
    },
  };
}

describe('retry', () => {
  it('returns at once when the operation succeeds, without calling the hooks', async () => {
    const clock = new ManualClock(0);
    const hooks = { retries: 0, giveUps: 0 };
    const result = await retry(async () => 42, policy, clock, {
      onRetry: () => hooks.retries++, onGiveUp: () => hooks.giveUps++,
    });
    expect(result).toBe(42);
    expect(hooks).toEqual({ retries: 0, giveUps: 0 });
  });

  it('retries a transient failure after the backoff delay, and not earlier', async () => {
    const clock = new ManualClock(0);
    const f = failing(2);
    const retries: [string, number, number][] = [];
    const outcome = await drive(clock, retry(f.op(clock), policy, clock, {
      onRetry: (e, attempt, delay) => retries.push([e.code, attempt, delay]),
    }));
    expect(outcome).toEqual({ ok: true, value: 'sent' });
    expect(f.calls).toEqual([0, 10, 30]);
    expect(retries).toEqual([['DHCPD_ERR_NET_SEND', 1, 10], ['DHCPD_ERR_NET_SEND', 2, 20]]);
  });

  it('gives up after `attempts` tries with the classified error, calling onGiveUp once', async () => {
    const clock = new ManualClock(0);
    const f = failing(Infinity);
    const giveUps: [string, number][] = [];
    let retries = 0;
    const outcome = await drive(clock, retry(f.op(clock), policy, clock, {
      onRetry: () => retries++,
      onGiveUp: (e, attempts) => giveUps.push([e.code, attempts]),
    }));
    expect(outcome.ok).toBe(false);
    expect(outcome.error).toBeInstanceOf(NetError);
    expect((outcome.error as DhcpdError).cause).toBeInstanceOf(Error);
    expect(f.calls).toHaveLength(policy.attempts);
    expect(f.calls).toEqual([0, 10, 30, 70]);
    expect(retries).toBe(policy.attempts - 1);
    expect(giveUps).toEqual([['DHCPD_ERR_NET_SEND', policy.attempts]]);
  });

  it('does not retry a non-transient error', async () => {
    const clock = new ManualClock(0);
    for (const make of [() => new Error('bug'), () => new StoreError('DHCPD_ERR_STORE_CORRUPT', 'bad record')]) {
      const f = failing(Infinity, make);
      const giveUps: number[] = [];
      let retries = 0;
      const outcome = await drive(clock, retry(f.op(clock), policy, clock, {
        onRetry: () => retries++, onGiveUp: (_, attempts) => giveUps.push(attempts),
      }));
      expect(outcome.ok).toBe(false);
      expect(outcome.error).toBeInstanceOf(DhcpdError);
      expect((outcome.error as DhcpdError).transient).toBe(false);
      expect(f.calls).toHaveLength(1);
      expect(retries).toBe(0);
      expect(giveUps).toEqual([1]);
    }
  });

  it('retries transient errors of the model itself (a store write)', async () => {
    const clock = new ManualClock(0);
    const f = failing(1, () => new StoreError('DHCPD_ERR_STORE_WRITE', 'busy'));
    const outcome = await drive(clock, retry(f.op(clock), policy, clock));
    expect(outcome).toEqual({ ok: true, value: 'sent' });
    expect(f.calls).toHaveLength(2);
  });

  it('with attempts = 1 never retries', async () => {
    const clock = new ManualClock(0);
    const f = failing(Infinity);
    const outcome = await drive(clock, retry(f.op(clock), { ...policy, attempts: 1 }, clock));
    expect(outcome.ok).toBe(false);
    expect(f.calls).toHaveLength(1);
  });
});
