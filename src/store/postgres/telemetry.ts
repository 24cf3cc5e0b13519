// What the PostgreSQL store tells the metrics: events as they happen (conflicts lost, connection errors, how late
// other servers' changes arrive), and a state read at each scrape (connections, the change feed, heartbeats).
import type { PeerStatus } from '../shared.js';

export type ConnectionErrorSource = 'idle' | 'feed' | 'heartbeat';

export interface PostgresState {
  /** The pool's connections: open, idle, and requests waiting for one. */
  readonly pool: { readonly total: number; readonly idle: number; readonly waiting: number };
  /** Whether the change feed's LISTEN connection is up (the store hears other servers' commits at once). */
  readonly listening: boolean;
  /** Heartbeats (with scaleOut): the last view read, and whether it is still fresh (this server not cut off). */
  readonly heartbeat?: { readonly last: PeerStatus | undefined; readonly fresh: boolean };
}

export interface PostgresTelemetry {
  /** A request's writes lost to another server's (DHCPD_ERR_LEASE_TAKEN). */
  conflictLost(): void;
  connectionError(source: ConnectionErrorSource): void;
  /** Another server's change reached this one's cache this long after its transaction began (database clock). */
  remoteChange(lagMs: number): void;
  /** Called once by the store: how the metrics read its state at each scrape. */
  attach(state: () => PostgresState): void;
}
