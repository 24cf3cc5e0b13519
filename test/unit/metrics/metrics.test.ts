// The Prometheus exposition: values from the daemon's statistics and lease book, per-pool usage, histograms,
// and names `promtool check metrics` accepts.
import { describe, expect, it } from 'vitest';
import type { Statistics } from '../../../src/app.js';
import { MessageType } from '../../../src/codec/types.js';
import { createMetrics } from '../../../src/metrics/metrics.js';
import type { LeaseRecord } from '../../../src/store/types.js';
import { baseConfig, compiled } from '../config/helpers.js';
import { HEALTH_OK } from '../control/fake-api.js';
import { promtoolCheckMetrics } from '../../helpers/promtool.js';

const config = compiled(baseConfig());

function lease(ip: string, state: LeaseRecord['state']): LeaseRecord {
  const context = {
    ip, subnetId: 1, clientKey: `hw:1:02:00:00:00:00:${ip.split('.')[3]}`, hwAddress: '02:00:00:00:00:01', offerExpiresAt: 0, boundAt: 1,
    renewAt: 2, rebindAt: 3, expiresAt: 4, graceUntil: 0, probationUntil: 0, changedAt: 1,
  };
  return { state, context, timers: [] };
}

const statistics = (extra: object = {}): Statistics => ({
  counters: {
    received: { DISCOVER: 5, REQUEST: 4 }, sent: { OFFER: 5, ACK: 3 }, naks: { 'wrong-network': 1 },
    drops: { DHCPD_ERR_CODEC_TRUNCATED: 2 }, errors: { parse: 2, store: 0 }, events: { 'config.reload_failed': 1 },
    restarts: { ingress: 2 },
  },
  pools: [], leases: 3, activeClients: 1, queuedRequests: 0, security: {},
  transport: { kind: 'native', counters: { received: 9, sendErrors: 0 } },
  ...extra,
}) as Statistics;

function metrics(stats = statistics()) {
  const leases = [lease('198.51.100.100', 'bound'), lease('198.51.100.101', 'offered'), lease('198.51.100.102', 'released'), lease('198.51.100.10', 'bound')];
  return createMetrics({ statistics: () => stats, health: () => HEALTH_OK, config: () => config, leases: () => leases }, '1.2.3');
}

describe('metrics', () => {
  it('copies the counters of the statistics under Prometheus names', async () => {
    const { body } = await metrics().render();
    expect(body).toContain('actor_dhcpd_packets_received_total{type="DISCOVER"} 5');
    expect(body).toContain('actor_dhcpd_packets_sent_total{type="ACK"} 3');
    expect(body).toContain('actor_dhcpd_drops_total{reason="DHCPD_ERR_CODEC_TRUNCATED"} 2');
    expect(body).toContain('actor_dhcpd_supervisor_restarts_total{child="ingress"} 2');
    expect(body).toContain('actor_dhcpd_reloads_total{result="failed"} 1');
    expect(body).toContain('actor_dhcpd_reloads_total{result="reloaded"} 0');
    expect(body).toContain('actor_dhcpd_transport_events_total{counter="received"} 9');
    expect(body).toContain('actor_dhcpd_build_info{version="1.2.3"} 1');
  });

  it('reports the lease transitions waiting for their address\'s next write, and those the bound dropped', async () => {
    const { body } = await metrics(statistics({ history: { addresses: 2, transitions: 5, dropped: 3 } })).render();
    expect(body).toContain('actor_dhcpd_history_pending_transitions 5');
    expect(body).toContain('actor_dhcpd_history_transitions_dropped_total{reason="pending_bound"} 3');
  });

  it('reports each pool\'s size, used and free addresses, and leases by state (every state, 0 too)', async () => {
    const { body } = await metrics().render();
    const pool = 'subnet_id="1",subnet="198.51.100.0/24",pool="198.51.100.100-198.51.100.199"';
    expect(body).toContain(`actor_dhcpd_pool_addresses{${pool}} 100`);
    // The reservation outside the pool and the released lease hold no pool address.
    expect(body).toContain(`actor_dhcpd_pool_used_addresses{${pool}} 2`);
    expect(body).toContain(`actor_dhcpd_pool_free_addresses{${pool}} 98`);
    expect(body).toContain('actor_dhcpd_leases{state="bound"} 2');
    expect(body).toContain('actor_dhcpd_leases{state="declined"} 0');
  });

  it('counts security rejections by stage and reason when the statistics have them', async () => {
    const { body } = await metrics(statistics({ security: { 'rate-limit': { 'per-client': 7 } } })).render();
    expect(body).toContain('actor_dhcpd_security_rejections_total{stage="rate-limit",reason="per-client"} 7');
  });

  it('records reply latency by type and commit duration and batch size in base units', async () => {
    const m = metrics();
    m.observeReply(MessageType.ACK, 3);
    m.observeCommit(12, 1.5);
    const { body } = await m.render();
    expect(body).toContain('actor_dhcpd_reply_latency_seconds_count{type="ACK"} 1');
    expect(body).toContain('actor_dhcpd_reply_latency_seconds_sum{type="ACK"} 0.003');
    expect(body).toContain('actor_dhcpd_store_commit_duration_seconds_sum 0.0015');
    expect(body).toContain('actor_dhcpd_store_commit_batch_writes_sum 12');
  });

  it('passes promtool check metrics', async () => {
    const m = metrics(statistics({ security: { snooping: { 'untrusted-port': 1 } }, history: { addresses: 1, transitions: 2, dropped: 0 } }));
    m.observeReply(MessageType.OFFER, 1);
    m.observeCommit(1, 1);
    const { body } = await m.render();
    expect(await promtoolCheckMetrics(body)).toEqual({ code: 0, output: '' });
  });
});
