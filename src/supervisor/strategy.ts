// Restart and retry strategies as data (Erlang/OTP style): exponential backoff with jitter, and a restart
// intensity limit after which the failure escalates to the parent.

export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  /** 0..1: the share of each delay that is randomised, so restarts of many actors do not align. */
  readonly jitter: number;
}

export interface RestartStrategy {
  readonly kind: 'one-for-one';
  readonly backoff: BackoffPolicy;
  /** At most this many restarts within `windowMs`, else escalate. */
  readonly maxRestarts: number;
  readonly windowMs: number;
}

export interface RetryPolicy {
  readonly attempts: number;
  readonly backoff: BackoffPolicy;
}

/** The delay before restart or retry number `attempt` (1-based). */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt - 1));
  const spread = base * policy.jitter;
  return Math.min(policy.maxMs, Math.round(base - spread + random() * 2 * spread));
}

/** Restart times still inside the window, including one more at `now`; escalate when over the limit. */
export function recordRestart(strategy: RestartStrategy, history: readonly number[], now: number): {
  readonly history: number[];
  readonly escalate: boolean;
} {
  const recent = history.filter((t) => now - t < strategy.windowMs);
  recent.push(now);
  return { history: recent, escalate: recent.length > strategy.maxRestarts };
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 100, maxMs: 10_000, factor: 2, jitter: 0.2 };

/** Per child kind; configuration, not code in handlers. */
export const DEFAULT_STRATEGIES = {
  ingress: { kind: 'one-for-one', backoff: DEFAULT_BACKOFF, maxRestarts: 5, windowMs: 60_000 },
  store: { kind: 'one-for-one', backoff: { ...DEFAULT_BACKOFF, initialMs: 500 }, maxRestarts: 5, windowMs: 60_000 },
} as const satisfies Record<string, RestartStrategy>;

export const DEFAULT_SEND_RETRY: RetryPolicy = {
  attempts: 4,
  backoff: { initialMs: 5, maxMs: 200, factor: 4, jitter: 0.2 },
};
