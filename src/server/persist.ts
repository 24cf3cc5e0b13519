// Makes a lease change durable before it is acted on: no ACK without a synced write (group commit in the store).
// Transient write failures are retried with bounded backoff; a backlog of writes beyond the limit is shed. Timer
// transitions are stored here too: the one path of lease writes.
import { briefError } from '../aggregated-log.js';
import { classify } from '../errors.js';
import type { LeaseChange } from '../leases/lease-book.js';
import type { LeaseWrite } from '../store/types.js';
import { retry } from '../supervisor/retry.js';
import type { RetryPolicy } from '../config/supervision-policy.js';
import type { ServerDeps } from './deps.js';

/**
 * True once stored — all the changes in one atomic batch; otherwise they are undone in memory (last first),
 * logged and counted, and false returned.
 */
export function persist(deps: ServerDeps, change: LeaseChange, ...together: readonly LeaseChange[]): Promise<boolean> {
  const health = deps.store.health();
  if (health.pendingWrites >= deps.config().limits.maxPendingCommits) {
    // A slow disk: this exchange would only add to the backlog; its client retransmits later.
    undo(deps, change, together);
    deps.stats.count(deps.stats.drops, 'commit-backlog');
    deps.log.warn({ evt: 'store.backlog', ip: change.after.context.ip, pendingWrites: health.pendingWrites }, 'commit backlog full: request shed');
    return NOT_STORED;
  }
  // The change and those together with it, without a list of them (nearly every call has none together).
  const writes = new Array<LeaseWrite>(1 + together.length);
  writes[0] = { kind: 'put', record: change.after };
  for (let i = 0; i < together.length; i++) writes[i + 1] = { kind: 'put', record: together[i]!.after };
  // The first attempt goes without the retry machinery (its promises, hooks and closures per write, which nearly
  // every write would throw away), and without an async frame of its own; only a failure starts the retries,
  // handing them this attempt's error first.
  let written: Promise<void>;
  try {
    written = deps.store.write(writes);
  } catch (error) {
    written = Promise.reject(error);
  }
  return written.then(stored, (first: unknown) => persistRetried(deps, change, together, writes, health.writable, first));
}

const stored = (): boolean => true;
/** Settled at once, for every shed request (a promise is never changed by its readers). */
const NOT_STORED = Promise.resolve(false);

/** The rest of persist's attempts after the first failed with `first`, under the store's retry policy. */
async function persistRetried(
  deps: ServerDeps, change: LeaseChange, together: readonly LeaseChange[], writes: readonly LeaseWrite[], writable: boolean, first: unknown,
): Promise<boolean> {
  const { log, stats } = deps;
  const ip = change.after.context.ip;
  let failed: { error: unknown } | undefined = { error: first };
  const attempt = (): Promise<void> => {
    const earlier = failed;
    failed = undefined;
    return earlier !== undefined ? Promise.reject(earlier.error) : deps.store.write(writes);
  };
  try {
    await retry(attempt, policyFor(deps, writable), deps.clock, {
      onRetry: (err, attempt, delayMs) => {
        stats.count(stats.events, 'store.write.retry');
        log.warn({ evt: 'store.write.retry', err, attempt, delayMs, ip }, 'lease write failed, retrying');
      },
    });
    return true;
  } catch (error) {
    undo(deps, change, together);
    const err = classify(error);
    if (err.code === 'DHCPD_ERR_LEASE_TAKEN') {
      stats.count(stats.events, 'lease.taken');
      log.info({ evt: 'lease.taken', err, ip }, 'another server changed this lease first: no ACK');
      return false;
    }
    stats.error(err.category);
    stats.count(stats.events, 'store.write.gave_up');
    log.error({ evt: 'store.write.gave_up', err, ip }, 'lease not stored: no ACK');
    return false;
  }
}

/** Reverts the changes, last first. */
function undo(deps: ServerDeps, change: LeaseChange, together: readonly LeaseChange[]): void {
  for (let i = together.length - 1; i >= 0; i--) deps.book.revert(together[i]!);
  deps.book.revert(change);
}

/** While the store is known unwritable each request makes one attempt (the probe) rather than a retry series. */
function policyFor(deps: ServerDeps, writable: boolean): RetryPolicy {
  const policy = deps.config().supervision.storeRetry;
  return writable ? policy : { ...policy, attempts: 1 };
}

/**
 * Stores a timer transition (T1, T2, expiry, end of grace, probation or offer hold). Nothing waits for it and a
 * failure undoes nothing: the transition follows from times already stored, so after a restart the stored timer
 * fires again. Retried like any lease write; skipped when the commit backlog is full or when a newer change of
 * the lease has replaced it (that change's own write carries the lease on).
 */
export function persistTimerChange(deps: ServerDeps, change: LeaseChange): void {
  if (change.before?.state === 'offered') return; // offers are never stored
  const { stats } = deps;
  const { ip } = change.after.context;
  const health = deps.store.health();
  if (health.pendingWrites >= deps.config().limits.maxPendingCommits) {
    stats.count(stats.events, 'store.write.timer_skipped');
    return;
  }
  const write = async (): Promise<void> => {
    if (deps.book.get(ip) !== change.after) return;
    await deps.store.write([{ kind: 'put', record: change.after }]);
  };
  retry(write, policyFor(deps, health.writable), deps.clock, {
    onRetry: () => stats.count(stats.events, 'store.write.retry'),
  }).catch((error: unknown) => {
    const err = classify(error);
    stats.count(stats.events, 'store.write.timer_failed');
    deps.notices.note('warn', 'store.write.timer_failed', err.code, 'timer transition not stored', { err: briefError(err), ip });
  });
}
