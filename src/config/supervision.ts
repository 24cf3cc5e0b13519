// The `supervision` and `limits` sections: restart strategies, retry policies and overload bounds as data
// (wire shape with today's constants as defaults, then the compiled domain values).
import { z } from 'zod';
import {
  DEFAULT_SEND_RETRY, DEFAULT_STORE_RETRY, DEFAULT_STRATEGIES, type BackoffPolicy, type RestartStrategy,
  type RetryPolicy, type SupervisionPolicy,
} from './supervision-policy.js';
import type { IssueList, Path } from './issues.js';

const ms = (max: number) => z.number().int().min(0).max(max);

function backoffSchema(d: BackoffPolicy) {
  return z
    .strictObject({
      initialMs: ms(3_600_000).default(d.initialMs).describe('First delay, in milliseconds.'),
      maxMs: ms(3_600_000).default(d.maxMs).describe('Longest delay, in milliseconds.'),
      factor: z.number().min(1).max(100).default(d.factor).describe('Each delay is the previous one times this.'),
      jitter: z.number().min(0).max(1).default(d.jitter).describe('Share of each delay that is randomised (0..1).'),
    })
    .prefault({});
}

function strategySchema(d: RestartStrategy) {
  return z
    .strictObject({
      backoff: backoffSchema(d.backoff),
      maxRestarts: z.number().int().min(0).max(10_000).default(d.maxRestarts).describe('Restarts allowed per window.'),
      windowMs: ms(86_400_000).default(d.windowMs).describe('Restart-intensity window, in milliseconds.'),
      onPermanent: z
        .enum(['escalate', 'restart'])
        .default(d.onPermanent)
        .describe('A failure retrying cannot fix: exit at once, or restart like any other.'),
    })
    .prefault({});
}

function retrySchema(d: RetryPolicy) {
  return z
    .strictObject({
      attempts: z.number().int().min(1).max(100).default(d.attempts).describe('Tries in all, the first included.'),
      backoff: backoffSchema(d.backoff),
    })
    .prefault({});
}

export const SupervisionSchema = z
  .strictObject({
    ingress: strategySchema(DEFAULT_STRATEGIES.ingress),
    store: strategySchema(DEFAULT_STRATEGIES.store),
    sendRetry: retrySchema(DEFAULT_SEND_RETRY),
    storeRetry: retrySchema(DEFAULT_STORE_RETRY),
  })
  .describe('Restart strategies per child and retry policies.');

/** Overload bounds: every queue on the request path has one. */
export interface OverloadLimits {
  /** Clients with an exchange under way; requests of further clients are shed. */
  readonly maxClients: number;
  /** Requests waiting behind a client's current exchange; the oldest goes first. */
  readonly maxQueuePerClient: number;
  /** Requests waiting in all clients' queues together; the oldest anywhere goes first. */
  readonly maxQueued: number;
  /** Lease writes awaiting their commit (each holds an exchange); a request that would exceed it is shed. */
  readonly maxPendingCommits: number;
}

export const DEFAULT_LIMITS: OverloadLimits = {
  maxClients: 100_000,
  maxQueuePerClient: 4,
  maxQueued: 20_000,
  maxPendingCommits: 10_000,
};

const count = (max: number, d: number, text: string) => z.number().int().min(1).max(max).default(d).describe(text);

export const LimitsSchema = z
  .strictObject({
    maxClients: count(10_000_000, DEFAULT_LIMITS.maxClients, 'Clients with an exchange under way.'),
    maxQueuePerClient: count(1_000, DEFAULT_LIMITS.maxQueuePerClient, 'Requests queued per client.'),
    maxQueued: count(10_000_000, DEFAULT_LIMITS.maxQueued, 'Requests queued over all clients.'),
    maxPendingCommits: count(10_000_000, DEFAULT_LIMITS.maxPendingCommits, 'Lease writes awaiting commit.'),
  })
  .describe('Overload bounds.');

type WireSupervision = z.output<typeof SupervisionSchema>;

function checkBackoff(b: BackoffPolicy, path: Path, issues: IssueList): void {
  if (b.maxMs < b.initialMs) issues.add([...path, 'maxMs'], `maxMs (${b.maxMs}) is below initialMs (${b.initialMs})`);
}

/** Cross-field checks (a cap below the first delay) and the domain shape. */
export function compileSupervision(wire: WireSupervision, issues: IssueList): SupervisionPolicy {
  const base = ['supervision'];
  for (const child of ['ingress', 'store'] as const) checkBackoff(wire[child].backoff, [...base, child, 'backoff'], issues);
  for (const retry of ['sendRetry', 'storeRetry'] as const) checkBackoff(wire[retry].backoff, [...base, retry, 'backoff'], issues);
  const strategy = (s: WireSupervision['ingress']): RestartStrategy => ({ kind: 'one-for-one', ...s });
  return {
    strategies: { ingress: strategy(wire.ingress), store: strategy(wire.store) },
    sendRetry: wire.sendRetry,
    storeRetry: wire.storeRetry,
  };
}
