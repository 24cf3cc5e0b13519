// The PostgreSQL store's and scale-out's metrics: events the store reports, its state read at each scrape (pool,
// change feed, heartbeats), the bucket shares computed from the split and the live peers, and names promtool accepts.
import { describe, expect, it } from 'vitest';
import type { Statistics } from '../../../src/app.js';
import { createMetrics } from '../../../src/metrics/metrics.js';
import type { PostgresState } from '../../../src/store/postgres/telemetry.js';
import { promtoolCheckMetrics } from '../../helpers/promtool.js';
import { baseConfig, compiled } from '../config/helpers.js';
import { HEALTH_OK } from '../control/fake-api.js';

const config = compiled({
  ...baseConfig(),
  store: { kind: 'postgres', postgres: { host: '/run/postgresql', database: 'actor_dhcpd', user: 'actor_dhcpd' } },
  scaleOut: { self: 'b', peers: ['a', 'b', 'c'], heartbeatMs: 1000, peerTimeoutMs: 5000 },
});
const statistics = { counters: {}, pools: [], leases: 0, activeClients: 0, queuedRequests: 0, security: {} } as unknown as Statistics;

/** The daemon builds the store (which attaches) before the App whose config the metrics read exists. */
function metrics(appStarted = () => true) {
  const current = () => {
    if (!appStarted()) throw new TypeError('no App yet');
    return config;
  };
  return createMetrics({ statistics: () => statistics, health: () => HEALTH_OK, config: current, leases: () => [] }, '1.2.3');
}

/** The sample lines of one metric family. */
function samples(body: string, name: string): string[] {
  return body.split('\n').filter((l) => l.startsWith(`actor_dhcpd_${name}`) && !l.startsWith('#'));
}

describe('PostgreSQL and scale-out metrics', () => {
  it('exposes none of them without a PostgreSQL store (LevelDB)', async () => {
    const { body } = await metrics().render();
    expect(body).not.toMatch(/actor_dhcpd_(scaleout_|store_db_|store_conflicts|store_sync)/);
  });

  it('counts what the store reports and reads its state at each scrape', async () => {
    let started = false;
    const m = metrics(() => started);
    const readAt = Date.now() - 1000;
    let state: PostgresState = {
      pool: { total: 4, idle: 1, waiting: 2 },
      listening: true,
      heartbeat: { fresh: true, last: { alive: new Set(['a', 'b']), readAt, ages: new Map([['a', 500], ['c', 9000]]) } },
    };
    m.postgres.attach(() => state);
    started = true;
    m.postgres.conflictLost();
    m.postgres.conflictLost();
    m.postgres.connectionError('feed');
    m.postgres.remoteChange(3);
    m.postgres.remoteChange(1500);
    m.observeCommit(12, 4);
    let { body } = await m.render();
    expect(samples(body, 'store_conflicts_lost_total')).toEqual(['actor_dhcpd_store_conflicts_lost_total 2']);
    expect(samples(body, 'store_db_connection_errors_total')).toEqual([
      'actor_dhcpd_store_db_connection_errors_total{source="idle"} 0',
      'actor_dhcpd_store_db_connection_errors_total{source="feed"} 1',
      'actor_dhcpd_store_db_connection_errors_total{source="heartbeat"} 0',
    ]);
    expect(samples(body, 'store_sync_lag_seconds_count')).toEqual(['actor_dhcpd_store_sync_lag_seconds_count 2']);
    expect(samples(body, 'store_sync_lag_seconds_bucket{le="0.005"}')).toEqual(['actor_dhcpd_store_sync_lag_seconds_bucket{le="0.005"} 1']);
    expect(samples(body, 'store_commit_batch_writes_sum')).toEqual(['actor_dhcpd_store_commit_batch_writes_sum 12']);
    expect(samples(body, 'store_db_connections')).toEqual([
      'actor_dhcpd_store_db_connections{state="busy"} 3', 'actor_dhcpd_store_db_connections{state="idle"} 1',
    ]);
    expect(samples(body, 'store_db_waiting_queries')).toEqual(['actor_dhcpd_store_db_waiting_queries 2']);
    expect(samples(body, 'store_db_listening')).toEqual(['actor_dhcpd_store_db_listening 1']);
    expect(samples(body, 'scaleout_peer_up')).toEqual([
      'actor_dhcpd_scaleout_peer_up{peer="a"} 1', 'actor_dhcpd_scaleout_peer_up{peer="b"} 1', 'actor_dhcpd_scaleout_peer_up{peer="c"} 0',
    ]);
    const ages = samples(body, 'scaleout_peer_heartbeat_age_seconds').map((l) => [l.split('"')[1], Number(l.split(' ')[1])]);
    expect(ages.map(([peer]) => peer)).toEqual(['a', 'b', 'c']);
    const age = new Map(ages as [string, number][]);
    expect(age.get('a')).toBeGreaterThanOrEqual(1.5);
    expect(age.get('b')).toBeGreaterThanOrEqual(1);
    expect(age.get('c')).toBeGreaterThanOrEqual(10);
    // 256 buckets in thirds: b owns 85; with c dead, a and b share c's, so b serves about half of them more.
    const buckets = new Map(samples(body, 'scaleout_buckets').map((l) => [l.split('"')[1], Number(l.split(' ')[1])]));
    expect(buckets.get('owned')).toBe(85);
    expect(buckets.get('served')).toBeGreaterThan(85 + 30);
    expect(await promtoolCheckMetrics(body)).toEqual({ code: 0, output: '' });

    // Cut off: its own heartbeat is stale, it serves nothing and says nothing of the others.
    state = { pool: { total: 0, idle: 0, waiting: 5 }, listening: false, heartbeat: { fresh: false, last: state.heartbeat!.last } };
    ({ body } = await m.render());
    expect(samples(body, 'scaleout_peer_up')).toEqual(['actor_dhcpd_scaleout_peer_up{peer="b"} 0']);
    expect(samples(body, 'store_db_listening')).toEqual(['actor_dhcpd_store_db_listening 0']);
    expect(new Map(samples(body, 'scaleout_buckets').map((l) => [l.split('"')[1], Number(l.split(' ')[1])])).get('served')).toBe(0);
    expect(await promtoolCheckMetrics(body)).toEqual({ code: 0, output: '' });
  });
});
