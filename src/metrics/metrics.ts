// The Prometheus exposition (prom-client): counters and gauges read from the daemon's statistics at scrape
// time, histograms fed by the packet path and the store. Names follow Prometheus conventions: actor_dhcpd_
// prefix, _total for counters, seconds for durations.
import { Counter, Gauge, Histogram, Registry } from './prom.js';
import type { Statistics } from '../app.js';
import type { MessageType } from '../codec/types.js';
import type { ServerConfig } from '../config/types.js';
import type { RoutedRequest } from '../../machines/transaction.types.js';
import type { Decision } from '../server/decision.js';
import { messageName } from '../server/stats.js';
import type { LeaseRecord } from '../store/types.js';
import type { Health } from '../supervisor/health.js';
import { TypedHistogram } from './typed-histogram.js';
import { leaseCensus, walkRecords, type LeaseCensus, type LeaseWalk } from './pool-usage.js';
import type { PostgresTelemetry } from '../store/postgres/telemetry.js';
import { postgresMetrics } from './postgres-metrics.js';

export interface MetricsSource {
  statistics(): Statistics;
  health(): Health;
  config(): ServerConfig;
  leases(): Iterable<LeaseRecord>;
  /** Address, subnet and state of every lease without building records (at 10^6 leases, per scrape); else `leases`. */
  forEachLease?: LeaseWalk;
}

export interface DaemonMetrics {
  /** A reply was decided this long after its request arrived. */
  observeReply(type: MessageType, latencyMs: number): void;
  /** App's onDecision: each reply's latency since its request arrived (transports stamp arrival with Date.now()). */
  observeDecision(decision: Decision, packet: RoutedRequest): void;
  /** The store committed a batch of this many writes in this long (synced). */
  observeCommit(writes: number, durationMs: number): void;
  render(): Promise<{ readonly contentType: string; readonly body: string }>;
  /** What the PostgreSQL store reports (createStore's `telemetry`). */
  readonly postgres: PostgresTelemetry;
}

const P = 'actor_dhcpd_';
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const BATCH_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000];
/** The reload flow's outcomes, counted as events config.reloaded / config.unchanged / config.reload_failed. */
const RELOAD_EVENTS = { reloaded: 'config.reloaded', unchanged: 'config.unchanged', failed: 'config.reload_failed' } as const;

interface Scrape {
  readonly stats: Statistics;
  readonly health: Health;
  readonly census: LeaseCensus;
}

type Table = Readonly<Record<string, number>> | undefined;

/** A counter whose values are copied from a monotonic table of the statistics at each scrape. */
function tableCounter(registry: Registry, scrape: () => Scrape | undefined, name: string, help: string, label: string, table: (s: Scrape) => Table): void {
  const counter: Counter<string> = new Counter({
    name: P + name, help, labelNames: [label], registers: [registry],
    collect: () => {
      const s = scrape();
      if (s === undefined) return;
      counter.reset();
      for (const [key, value] of Object.entries(table(s) ?? {})) counter.inc({ [label]: key }, value);
    },
  });
}

function gauge(registry: Registry, scrape: () => Scrape | undefined, name: string, help: string, labelNames: string[], fill: (g: Gauge<string>, s: Scrape) => void): void {
  const g: Gauge<string> = new Gauge({
    name: P + name, help, labelNames, registers: [registry],
    collect: () => {
      const s = scrape();
      if (s === undefined) return;
      g.reset();
      fill(g, s);
    },
  });
}

function counters(registry: Registry, scrape: () => Scrape | undefined): void {
  const c = (s: Scrape, table: string): Table => s.stats.counters[table];
  tableCounter(registry, scrape, 'packets_received_total', 'DHCP requests received and decoded, by message type.', 'type', (s) => c(s, 'received'));
  tableCounter(registry, scrape, 'packets_sent_total', 'DHCP replies sent, by message type.', 'type', (s) => c(s, 'sent'));
  tableCounter(registry, scrape, 'naks_total', 'DHCPNAKs sent, by reason.', 'reason', (s) => c(s, 'naks'));
  tableCounter(registry, scrape, 'drops_total', 'Requests dropped unanswered, by reason (codec error code, shedding, policy).', 'reason', (s) => c(s, 'drops'));
  tableCounter(registry, scrape, 'errors_total', 'Errors by category of the error registry.', 'category', (s) => c(s, 'errors'));
  tableCounter(registry, scrape, 'events_total', 'Logged events by evt name (retries, store state changes, supervisor actions).', 'event', (s) => c(s, 'events'));
  tableCounter(registry, scrape, 'supervisor_restarts_total', 'Restarts of supervised children, by child.', 'child', (s) => c(s, 'restarts'));
  tableCounter(registry, scrape, 'reloads_total', 'Config reloads by result.', 'result', (s) => {
    const events = c(s, 'events') ?? {};
    return Object.fromEntries(Object.entries(RELOAD_EVENTS).map(([result, evt]) => [result, events[evt] ?? 0]));
  });
  tableCounter(registry, scrape, 'transport_events_total', 'The transport\'s own counters (received, sent, ignored, fallbacks, errors).', 'counter', (s) => {
    const counts = (s.stats.transport?.counters ?? {}) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(counts).filter((e): e is [string, number] => typeof e[1] === 'number'));
  });
  tableCounter(registry, scrape, 'history_transitions_dropped_total',
    'Lease transitions dropped unwritten: past the bound of what waits in memory for an address\'s next write.', 'reason',
    (s) => (s.stats.history === undefined ? undefined : { pending_bound: s.stats.history.dropped }));
  const security: Counter<string> = new Counter({
    name: `${P}security_rejections_total`, help: 'Requests refused by a security stage, by stage and reason.',
    labelNames: ['stage', 'reason'], registers: [registry],
    collect: () => {
      const s = scrape();
      const table = (s?.stats as { security?: Record<string, Record<string, number>> } | undefined)?.security;
      if (table === undefined) return;
      security.reset();
      for (const [stage, reasons] of Object.entries(table)) {
        for (const [reason, value] of Object.entries(reasons)) security.inc({ stage, reason }, value);
      }
    },
  });
}

function gauges(registry: Registry, scrape: () => Scrape | undefined): void {
  gauge(registry, scrape, 'leases', 'Leases in the lease book, by state.', ['state'], (g, s) => {
    for (const [state, n] of s.census.byState) g.set({ state }, n);
  });
  const perPool = (name: string, help: string, value: (p: LeaseCensus['pools'][number]) => number) =>
    gauge(registry, scrape, name, help, ['subnet_id', 'subnet', 'pool'], (g, s) => {
      for (const p of s.census.pools) g.set({ subnet_id: String(p.subnetId), subnet: p.subnet, pool: p.pool }, value(p));
    });
  perPool('pool_addresses', 'Addresses in the pool.', (p) => p.size);
  perPool('pool_used_addresses', 'Pool addresses held by a lease (offered, bound, renewing, rebinding, expired in grace, declined).', (p) => p.used);
  perPool('pool_free_addresses', 'Pool addresses free to offer.', (p) => p.size - p.used);
  gauge(registry, scrape, 'serving', '1 while the daemon serves DHCP.', [], (g, s) => g.set(s.health.serving ? 1 : 0));
  gauge(registry, scrape, 'store_writable', '1 while lease writes succeed (0: no new leases are granted).', [], (g, s) => g.set(s.health.store.writable ? 1 : 0));
  gauge(registry, scrape, 'store_pending_writes', 'Lease writes awaiting their commit.', [], (g, s) => g.set(s.health.store.pendingWrites));
  gauge(registry, scrape, 'active_clients', 'Clients with an exchange under way.', [], (g, s) => g.set(s.stats.activeClients));
  gauge(registry, scrape, 'queued_requests', 'Requests waiting behind their client\'s exchange.', [], (g, s) => g.set(s.stats.queuedRequests));
  gauge(registry, scrape, 'history_pending_transitions', 'Lease transitions waiting in memory for their address\'s next write (offers not REQUESTed).', [],
    (g, s) => g.set(s.stats.history?.transitions ?? 0));
}

/**
 * The standard process metrics. prom-client's default set is not used: its nodejs_active_*_total gauges break
 * the naming rules `promtool check metrics` enforces.
 */
function processMetrics(registry: Registry): void {
  const cpu: Counter<string> = new Counter({
    name: 'process_cpu_seconds_total', help: 'Total user and system CPU time spent in seconds.', registers: [registry],
    collect: () => {
      const { user, system } = process.cpuUsage();
      cpu.reset();
      cpu.inc((user + system) / 1e6);
    },
  });
  const rss: Gauge<string> = new Gauge({
    name: 'process_resident_memory_bytes', help: 'Resident memory size in bytes.', registers: [registry],
    collect: () => rss.set(process.memoryUsage().rss),
  });
  const heap: Gauge<string> = new Gauge({
    name: 'nodejs_heap_used_bytes', help: 'V8 heap in use, in bytes.', registers: [registry],
    collect: () => heap.set(process.memoryUsage().heapUsed),
  });
  new Gauge({ name: 'process_start_time_seconds', help: 'Start time of the process since unix epoch in seconds.', registers: [registry] })
    .set(Math.round(Date.now() / 1000 - process.uptime()));
}

export function createMetrics(source: MetricsSource, version: string): DaemonMetrics {
  const registry = new Registry();
  let current: Scrape | undefined;
  const scrape = () => current;
  counters(registry, scrape);
  gauges(registry, scrape);
  new Gauge({ name: `${P}build_info`, help: 'Always 1; the version is a label.', labelNames: ['version'], registers: [registry] }).set({ version }, 1);
  processMetrics(registry);
  const replies = new TypedHistogram({
    name: `${P}reply_latency_seconds`, help: 'From a request\'s arrival to its reply being decided (an ACK includes its synced commit), by reply type.',
    labelName: 'type', labelOf: messageName, buckets: LATENCY_BUCKETS, registers: [registry],
  });
  const commits = new Histogram({
    name: `${P}store_commit_duration_seconds`, help: 'Duration of one synced group commit of the lease store.', buckets: LATENCY_BUCKETS, registers: [registry],
  });
  const observeReply = (type: MessageType, ms: number): void => replies.observe(type, ms / 1000);
  const batches = new Histogram({
    name: `${P}store_commit_batch_writes`, help: 'Lease writes per group commit.', buckets: BATCH_BUCKETS, registers: [registry],
  });
  const postgres = postgresMetrics(registry, () => source.config().scaleOut);
  return {
    postgres,
    observeReply,
    observeDecision: (decision, packet) => {
      if (decision.kind === 'reply') observeReply(decision.type, Date.now() - packet.inbound.receivedAt);
    },
    observeCommit: (writes, ms) => {
      commits.observe(ms / 1000);
      batches.observe(writes);
    },
    render: async () => {
      current = { stats: source.statistics(), health: source.health(), census: leaseCensus(source.config(), source.forEachLease ?? walkRecords(source.leases())) };
      try {
        return { contentType: registry.contentType, body: await registry.metrics() };
      } finally {
        current = undefined;
      }
    },
  };
}
