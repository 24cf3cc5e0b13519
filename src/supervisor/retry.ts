// Bounded retry of transient failures (a send hitting ENOBUFS while a queue drains, a link flapping).
import type { Clock } from '../clock.js';
import { classify, type DhcpdError } from '../errors.js';
import { backoffDelay, type RetryPolicy } from '../config/supervision-policy.js';

export interface RetryHooks {
  readonly onRetry?: (error: DhcpdError, attempt: number, delayMs: number) => void;
  readonly onGiveUp?: (error: DhcpdError, attempts: number) => void;
}

export async function retry<T>(
  operation: () => Promise<T>,
  policy: RetryPolicy,
  clock: Clock,
  hooks: RetryHooks = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (thrown) {
      const error = classify(thrown);
      if (!error.transient || attempt >= policy.attempts) {
        hooks.onGiveUp?.(error, attempt);
        throw error;
      }
      const delay = backoffDelay(policy.backoff, attempt);
      hooks.onRetry?.(error, attempt, delay);
      await new Promise<void>((resolve) => clock.setTimer(delay, resolve));
    }
  }
}
