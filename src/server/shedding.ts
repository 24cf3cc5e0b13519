// Load shedding and lease-class drops as operators see them: a warn line at most every 10 s per reason.
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';

export const SHED_REASONS: ReadonlySet<string> = new Set(['too-many-clients', 'overload', 'queue-full']);

/** Load shedding is logged at most every 10 s per reason (evt router.shedding), with the count since the last line. */
export function sheddingReporter(clock: Clock, log: Logger) {
  const last = new Map<string, { at: number; shed: number }>();
  return {
    note(reason: string): void {
      const entry = last.get(reason);
      if (entry !== undefined && clock.now() - entry.at < 10_000) {
        entry.shed++;
        return;
      }
      log.warn({ evt: 'router.shedding', reason, shed: (entry?.shed ?? 0) + 1 }, 'overloaded: shedding requests');
      last.set(reason, { at: clock.now(), shed: 0 });
    },
  };
}

/** A pool with no free address or a client on no configured subnet: the lease class of errors. */
export const LEASE_DROPS: ReadonlySet<string> = new Set(['pool-exhausted', 'no-subnet']);
