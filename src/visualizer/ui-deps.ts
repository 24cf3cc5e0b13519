// What the /ui page reads from the running daemon, as functions (so the plugin can be tested against any source
// and registered on whichever listener serves it), and how to take them from an App.
import type { LeaseRecord } from '../../machines/lease.types.js';
import type { App } from '../app.js';
import type { LeaseSummaryFn } from '../lease-columns/packed-leases.js';
import type { TransitionListener } from '../leases/transition.js';
import type { PoolUtilization } from '../server/utilization.js';
import type { LeaseHistoryStore } from '../store/types.js';
import type { Health } from '../supervisor/health.js';
import type { SecurityEvent } from '../security/events.js';

/** A security stage's event, as the page shows it. */
export type UiSecurityEvent = SecurityEvent;

export interface UiDeps {
  readonly leases: () => Iterable<LeaseRecord>;
  /** Each lease's state without building its record (10^6 packed leases): the page's counts use it when given. */
  readonly forEachLease?: (fn: LeaseSummaryFn) => void;
  readonly transactionStates: () => Record<string, number>;
  readonly serverState: () => string;
  readonly pools: () => readonly PoolUtilization[];
  readonly health: () => Health;
  readonly onLeaseTransition: (listener: TransitionListener) => () => void;
  readonly history: LeaseHistoryStore;
  /** Recent security events; undefined while the daemon has no security stages. */
  readonly securityEvents?: (limit?: number) => readonly UiSecurityEvent[] | undefined;
  readonly now: () => number;
  /** Most live-update (SSE) connections at once (default 32); more are refused with 503. */
  readonly maxStreams?: number;
}

/** Reads the app lazily: the control listener (and this plugin) starts before the app does. */
export function uiDepsOf(app: () => App, now: () => number = Date.now): UiDeps {
  return {
    leases: () => app().leases(),
    forEachLease: (fn) => app().forEachLease(fn),
    transactionStates: () => app().transactionStates(),
    serverState: () => app().state(),
    pools: () => app().statistics().pools,
    health: () => app().health(),
    onLeaseTransition: (listener) => app().onLeaseTransition(listener),
    history: { history: (ip, limit) => app().history.history(ip, limit) },
    // App.securityEvents comes with the security stages; without it the page leaves its panel out.
    securityEvents: (limit) => {
      const daemon = app() as App & Partial<{ securityEvents: (limit?: number) => readonly UiSecurityEvent[] }>;
      return daemon.securityEvents?.(limit);
    },
    now,
  };
}
