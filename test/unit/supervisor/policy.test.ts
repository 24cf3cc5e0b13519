// Supervision policy: the restart decision per failure (backoff, intensity, permanent errors) on a simulated
// clock, and the config's `supervision` section compiling into it with today's constants as defaults.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { parseConfig } from '../../../src/config/index.js';
import { DEFAULT_SUPERVISION, type RestartStrategy } from '../../../src/config/supervision-policy.js';
import { onChildFailure } from '../../../src/supervisor/strategy.js';
import { LAB_CONFIG } from '../../helpers/test-server.js';

const strategy: RestartStrategy = {
  kind: 'one-for-one', backoff: { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0 }, maxRestarts: 3, windowMs: 10_000,
  onPermanent: 'escalate',
};

describe('onChildFailure', () => {
  it('restarts with growing backoff until the intensity is exceeded, on a simulated clock', () => {
    const clock = new ManualClock(0);
    let history: number[] = [];
    const decisions: { escalate: boolean; delayMs: number }[] = [];
    for (let i = 0; i < 4; i++) {
      const d = onChildFailure(strategy, history, clock.now(), true);
      history = d.history;
      decisions.push({ escalate: d.escalate, delayMs: d.delayMs });
      clock.advance(d.delayMs + 50); // the restarted child fails again soon after
    }
    expect(decisions).toEqual([
      { escalate: false, delayMs: 100 }, { escalate: false, delayMs: 200 }, { escalate: false, delayMs: 400 },
      { escalate: true, delayMs: 800 },
    ]);
  });

  it('starts over once old restarts leave the window', () => {
    const d = onChildFailure(strategy, [0, 100, 200], 20_000, true);
    expect(d).toEqual({ history: [20_000], escalate: false, delayMs: 100 });
  });

  it('escalates a permanent failure at once, or restarts it when configured to', () => {
    expect(onChildFailure(strategy, [], 0, false).escalate).toBe(true);
    expect(onChildFailure({ ...strategy, onPermanent: 'restart' }, [], 0, false).escalate).toBe(false);
  });
});

describe('supervision in the config file', () => {
  const compile = (extra: Record<string, unknown>) => parseConfig(JSON.stringify({ ...LAB_CONFIG, ...extra }), { baseDir: '/tmp' });

  it('defaults to the built-in strategies and retry policies', () => {
    const result = compile({});
    expect(result.ok && result.config.supervision).toEqual(DEFAULT_SUPERVISION);
  });

  it('overrides single fields and keeps the rest', () => {
    const result = compile({ supervision: { store: { maxRestarts: 9, backoff: { initialMs: 50 } }, storeRetry: { attempts: 5 } } });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const { store } = result.config.supervision.strategies;
    expect(store).toEqual({ ...DEFAULT_SUPERVISION.strategies.store, maxRestarts: 9, backoff: { ...DEFAULT_SUPERVISION.strategies.store.backoff, initialMs: 50 } });
    expect(result.config.supervision.storeRetry).toEqual({ ...DEFAULT_SUPERVISION.storeRetry, attempts: 5 });
    expect(result.config.supervision.strategies.ingress).toEqual(DEFAULT_SUPERVISION.strategies.ingress);
  });

  it('reports bad values at their JSON path', () => {
    const result = compile({
      supervision: { ingress: { backoff: { initialMs: 500, maxMs: 100 }, onPermanent: 'ignore' }, sendRetry: { attempts: 0 } },
      limits: { maxQueued: 0 },
    });
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining([
      '$.supervision.ingress.onPermanent', '$.supervision.sendRetry.attempts', '$.limits.maxQueued',
    ]));
  });

  it('rejects a backoff cap below its first delay', () => {
    const result = compile({ supervision: { ingress: { backoff: { initialMs: 500, maxMs: 100 } } } });
    expect(result.ok ? [] : result.errors).toEqual([
      { path: '$.supervision.ingress.backoff.maxMs', message: 'maxMs (100) is below initialMs (500)' },
    ]);
  });
});
