// Metrics of the PostgreSQL lease store and of scale-out: conflicts lost to other servers, connection errors and
// state, how late other servers' changes reach this cache, and the peers' heartbeats and bucket shares. The
// commit duration and batch size are the store histograms every store feeds (metrics.ts).
import { Counter, Gauge, Histogram, type Registry } from './prom.js';
import type { ScaleOutConfig } from '../config/types.js';
import { assignBuckets, servedBuckets } from '../scaleout/buckets.js';
import type { ConnectionErrorSource, PostgresState, PostgresTelemetry } from '../store/postgres/telemetry.js';

const P = 'actor_dhcpd_';
const LAG_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const ERROR_SOURCES: readonly ConnectionErrorSource[] = ['idle', 'feed', 'heartbeat'];

/** A gauge filled at each scrape from the store's state. */
function stateGauge(registry: Registry, state: () => PostgresState, name: string, help: string, labelNames: string[],
  fill: (g: Gauge<string>, s: PostgresState) => void): void {
  const g: Gauge<string> = new Gauge({
    name: P + name, help, labelNames, registers: [registry],
    collect: () => {
      g.reset();
      fill(g, state());
    },
  });
}

interface Instruments {
  readonly conflicts: Counter<string>;
  readonly errors: Counter<string>;
  readonly lag: Histogram<string>;
}

/** Registered when a PostgreSQL store attaches: a daemon on LevelDB exposes none of these. */
function register(registry: Registry, state: () => PostgresState, scaleOut: () => ScaleOutConfig | undefined, now: () => number): Instruments {
  const conflicts = new Counter({
    name: `${P}store_conflicts_lost_total`, registers: [registry],
    help: 'Requests whose lease writes lost to another server\'s in the shared database (DHCPD_ERR_LEASE_TAKEN): no ACK was sent.',
  });
  const errors = new Counter({
    name: `${P}store_db_connection_errors_total`, labelNames: ['source'], registers: [registry],
    help: 'Lease database connections that failed or dropped: idle pooled ones, the change feed\'s, heartbeat writes.',
  });
  for (const source of ERROR_SOURCES) errors.inc({ source }, 0);
  const lag = new Histogram({
    name: `${P}store_sync_lag_seconds`, buckets: LAG_BUCKETS, registers: [registry],
    help: 'From another server\'s writing transaction to its change reaching this server\'s lease book (database clock).',
  });
  stateGauge(registry, state, 'store_db_connections', 'Pooled lease database connections, by state.', ['state'], (g, s) => {
    g.set({ state: 'busy' }, s.pool.total - s.pool.idle);
    g.set({ state: 'idle' }, s.pool.idle);
  });
  stateGauge(registry, state, 'store_db_waiting_queries', 'Statements waiting for a pooled connection.', [], (g, s) => g.set(s.pool.waiting));
  stateGauge(registry, state, 'store_db_listening', '1 while the change feed\'s LISTEN connection is up (0: polling only, or the database is unreachable).', [],
    (g, s) => g.set(s.listening ? 1 : 0));
  registerScaleOut(registry, state, scaleOut, now);
  return { conflicts, errors, lag };
}

/** Without a scaleOut section these families have no samples (the config is read at each scrape: at attach the
 * daemon's config holder does not exist yet). */
function registerScaleOut(registry: Registry, state: () => PostgresState, scaleOut: () => ScaleOutConfig | undefined, now: () => number): void {
  stateGauge(registry, state, 'scaleout_peer_up', 'Whether a server\'s heartbeat is fresh by the database\'s clock, as this server last read it; its own is 0 while it cannot write it.', ['peer'],
    (g, s) => fillPeers(g, s, scaleOut(), now, 'up'));
  stateGauge(registry, state, 'scaleout_peer_heartbeat_age_seconds', 'Age of each server\'s heartbeat (this server\'s own: since its last successful write).', ['peer'],
    (g, s) => fillPeers(g, s, scaleOut(), now, 'age'));
  stateGauge(registry, state, 'scaleout_buckets', 'RFC 3074 hash buckets of this server: owned by its split, and served now (owned ones while alive, plus those taken over from dead peers).', ['kind'],
    (g, s) => fillBuckets(g, s, scaleOut()));
}

export function postgresMetrics(registry: Registry, scaleOut: () => ScaleOutConfig | undefined, now: () => number = Date.now): PostgresTelemetry {
  let instruments: Instruments | undefined;
  return {
    conflictLost: () => instruments?.conflicts.inc(),
    connectionError: (source) => instruments?.errors.inc({ source }),
    remoteChange: (lagMs) => instruments?.lag.observe(Math.max(0, lagMs) / 1000),
    attach: (state) => {
      instruments ??= register(registry, state, scaleOut, now);
    },
  };
}

function fillPeers(g: Gauge<string>, s: PostgresState, config: ScaleOutConfig | undefined, now: () => number, what: 'up' | 'age'): void {
  const last = s.heartbeat?.last;
  if (config === undefined || s.heartbeat === undefined) return;
  const sinceRead = last === undefined ? undefined : now() - last.readAt;
  for (const peer of config.peers) {
    if (peer === config.self) {
      if (what === 'up') g.set({ peer }, s.heartbeat.fresh ? 1 : 0);
      else if (sinceRead !== undefined) g.set({ peer }, sinceRead / 1000);
      continue;
    }
    // Cut off, this server does not know how its peers are: it says nothing of them.
    if (last === undefined || !s.heartbeat.fresh) continue;
    if (what === 'up') g.set({ peer }, last.alive.has(peer) ? 1 : 0);
    else if (last.ages?.has(peer) === true) g.set({ peer }, (last.ages.get(peer)! + sinceRead!) / 1000);
  }
}

function fillBuckets(g: Gauge<string>, s: PostgresState, config: ScaleOutConfig | undefined): void {
  if (config === undefined) return;
  const owners = assignBuckets(config.peers, config.split);
  g.set({ kind: 'owned' }, owners.filter((o) => o === config.self).length);
  const last = s.heartbeat?.last;
  const alive = new Set([...(last?.alive ?? [])].filter((p) => config.peers.includes(p)));
  g.set({ kind: 'served' }, s.heartbeat?.fresh === true ? servedBuckets(owners, alive, config.self) : 0);
}
