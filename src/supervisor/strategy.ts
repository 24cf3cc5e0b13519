// The supervisor's decisions on a policy of src/config/supervision-policy.ts: restart after a backoff, or
// escalate once the restart intensity is exceeded.
import { backoffDelay, type RestartStrategy } from '../config/supervision-policy.js';

/** Restart times still inside the window, including one more at `now`; escalate when over the limit. */
export function recordRestart(strategy: RestartStrategy, history: readonly number[], now: number): {
  readonly history: number[];
  readonly escalate: boolean;
} {
  const recent = history.filter((t) => now - t < strategy.windowMs);
  recent.push(now);
  return { history: recent, escalate: recent.length > strategy.maxRestarts };
}

/** The supervisor's decision for one failure of a child: restart after `delayMs`, or escalate. */
export function onChildFailure(
  strategy: RestartStrategy,
  history: readonly number[],
  now: number,
  transient: boolean,
): { readonly history: number[]; readonly escalate: boolean; readonly delayMs: number } {
  const recorded = recordRestart(strategy, history, now);
  const permanent = !transient && strategy.onPermanent === 'escalate';
  return {
    history: recorded.history,
    escalate: recorded.escalate || permanent,
    delayMs: backoffDelay(strategy.backoff, recorded.history.length),
  };
}
