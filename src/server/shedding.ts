// Load shedding and lease-class drops as operators see them: a warn line at most every 10 s per reason.
import type { AggregatedLog } from '../aggregated-log.js';

export const SHED_REASONS: ReadonlySet<string> = new Set(['too-many-clients', 'overload', 'queue-full']);

/** Load shedding is logged aggregated (evt router.shedding): one line per reason per interval, with the count. */
export function sheddingReporter(notices: AggregatedLog) {
  return {
    note(reason: string): void {
      notices.note('warn', 'router.shedding', reason, 'overloaded: shedding requests');
    },
  };
}

/** A pool with no free address or a client on no configured subnet: the lease class of errors. */
export const LEASE_DROPS: ReadonlySet<string> = new Set(['pool-exhausted', 'no-subnet']);
