// Restart and retry strategies as data (Erlang/OTP style): exponential backoff with jitter, and a restart
// intensity limit after which the failure escalates to the parent. The config file can override every value;
// these are the policies and their defaults, which every layer may read (the supervisor applies them).

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
  /**
   * What a failure that retrying cannot fix (a non-transient error: a corrupt store, a missing directory) does:
   * `escalate` at once (the process exits non-zero), or `restart` like any other failure.
   */
  readonly onPermanent: 'escalate' | 'restart';
}

export interface RetryPolicy {
  readonly attempts: number;
  readonly backoff: BackoffPolicy;
}

/** Child kinds the root supervisor restarts. */
export type ChildKind = 'ingress' | 'store';

/** Every supervision and retry knob; the config's `supervision` section compiles into this. */
export interface SupervisionPolicy {
  readonly strategies: Readonly<Record<ChildKind, RestartStrategy>>;
  /** Sending a reply (ENOBUFS, EAGAIN, ENETUNREACH while a link flaps). */
  readonly sendRetry: RetryPolicy;
  /** Writing a lease before its ACK; no ACK meanwhile, and none if it gives up. */
  readonly storeRetry: RetryPolicy;
}

/** The delay before restart or retry number `attempt` (1-based). */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt - 1));
  const spread = base * policy.jitter;
  return Math.min(policy.maxMs, Math.round(base - spread + random() * 2 * spread));
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 100, maxMs: 10_000, factor: 2, jitter: 0.2 };

/** Per child kind; configuration, not code in handlers. */
export const DEFAULT_STRATEGIES = {
  // A bind failure may clear (another instance still shutting down), so the ingress restarts on any error.
  ingress: { kind: 'one-for-one', backoff: DEFAULT_BACKOFF, maxRestarts: 5, windowMs: 60_000, onPermanent: 'restart' },
  // A corrupt or unopenable store does not heal by waiting: exit so the operator sees it (with the repair command).
  store: {
    kind: 'one-for-one', backoff: { ...DEFAULT_BACKOFF, initialMs: 500 }, maxRestarts: 5, windowMs: 60_000,
    onPermanent: 'escalate',
  },
} as const satisfies Record<ChildKind, RestartStrategy>;

export const DEFAULT_SEND_RETRY: RetryPolicy = {
  attempts: 4,
  backoff: { initialMs: 5, maxMs: 200, factor: 4, jitter: 0.2 },
};

/** Short: the client retransmits anyway (RFC 2131 §4.1, ~4 s), and its exchange holds a lane meanwhile. */
export const DEFAULT_STORE_RETRY: RetryPolicy = {
  attempts: 3,
  backoff: { initialMs: 20, maxMs: 500, factor: 4, jitter: 0.2 },
};

export const DEFAULT_SUPERVISION: SupervisionPolicy = {
  strategies: DEFAULT_STRATEGIES,
  sendRetry: DEFAULT_SEND_RETRY,
  storeRetry: DEFAULT_STORE_RETRY,
};
