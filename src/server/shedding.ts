// Load shedding, the router's drops and lease-class drops as operators see them: a warn line at most every 10 s
// per reason.
import type { RoutedRequest } from '../../machines/transaction.types.js';
import type { AggregatedLog } from '../aggregated-log.js';
import { classify } from '../errors.js';
import type { Logger } from '../log.js';
import type { Stats } from './stats.js';

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

/** What the router's drops mean to operators: counted by reason, load shedding logged aggregated, crashes logged. */
export function routerDropReporter(deps: { readonly stats: Stats; readonly notices: AggregatedLog; readonly log: Logger }) {
  const { stats, log } = deps;
  const shedding = sheddingReporter(deps.notices);
  return (reason: string, routed: RoutedRequest, error?: unknown): void => {
    stats.count(stats.drops, reason);
    if (SHED_REASONS.has(reason)) shedding.note(reason);
    if (reason === 'transaction-failed') {
      const err = classify(error);
      stats.error(err.category);
      log.error({ evt: 'txn.failed', err, client: routed.clientKey, xid: routed.request.xid }, 'transaction failed');
    }
  };
}

/**
 * A waiting exchange (an OFFER out, the REQUEST to come) forgotten at maxClients to make room for a new client:
 * counted, logged aggregated. Harmless to the client (its REQUEST starts an exchange of its own), but it says the
 * daemon holds as many exchanges as it may.
 */
export function waitingEvictionReporter(deps: { readonly stats: Stats; readonly notices: AggregatedLog }) {
  return (): void => {
    deps.stats.count(deps.stats.events, 'router.waiting.evicted');
    deps.notices.note('info', 'router.waiting.evicted', 'max-clients', 'at maxClients: the longest-waiting exchanges make room for new clients');
  };
}
