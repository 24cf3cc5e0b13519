// What the /ui page reads from the running daemon, as functions (so the plugin can be tested against any source
// and registered on whichever listener serves it), and how to take them from an App.
import type { LeaseRecord } from '../../machines/lease.types.js';
import type { App } from '../app.js';
import type { TransitionListener } from '../leases/transition.js';
import type { PoolUtilization } from '../server/utilization.js';
import type { LeaseHistoryStore } from '../store/types.js';
import type { Health } from '../supervisor/health.js';

/** The shape of the security stages' events (src/security/events.ts), as far as the page shows them. */
export interface UiSecurityEvent {
  readonly at: number;
  readonly stage: string;
  readonly reason: string;
  readonly client?: string;
  readonly iface?: string;
  readonly giaddr?: string;
}

export interface UiDeps {
  readonly leases: () => Iterable<LeaseRecord>;
  readonly transactionStates: () => Record<string, number>;
  readonly serverState: () => string;
  readonly pools: () => readonly PoolUtilization[];
  readonly health: () => Health;
  readonly onLeaseTransition: (listener: TransitionListener) => () => void;
  readonly history: LeaseHistoryStore;
  /** Present once the security stages exist. */
  readonly securityEvents?: (limit?: number) => readonly UiSecurityEvent[];
  readonly now: () => number;
  /** Most live-update (SSE) connections at once (default 32); more are refused with 503. */
  readonly maxStreams?: number;
}

export function uiDepsOf(app: App, now: () => number = Date.now): UiDeps {
  // securityEvents arrives with the security stages; until then the page leaves its panel out.
  const security = (app as Partial<{ securityEvents: (limit?: number) => readonly UiSecurityEvent[] }>).securityEvents;
  return {
    leases: () => app.deps.book.values(),
    transactionStates: () => app.transactionStates(),
    serverState: () => app.state(),
    pools: () => app.statistics().pools,
    health: () => app.health(),
    onLeaseTransition: (listener) => app.onLeaseTransition(listener),
    history: app.history,
    ...(security === undefined ? {} : { securityEvents: (limit?: number) => security.call(app, limit) }),
    now,
  };
}
