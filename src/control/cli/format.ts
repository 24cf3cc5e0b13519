// Human output of the client commands (the --json output is the API's JSON as is).
import type { ReloadReport } from '../../config/reload-report.js';
import type { Health } from '../../supervisor/health.js';
import type { PoolUtilization } from '../../server/utilization.js';
import type { LeaseView } from '../lease-query.js';
import { table } from './table.js';

/** "2026-11-28T07:16:10.000Z" -> "2026-11-28 07:16:10Z" (UTC, like the logs). */
const when = (iso: string | undefined): string => (iso === undefined ? '-' : `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`);

export function formatLeases(leases: readonly LeaseView[]): string[] {
  if (leases.length === 0) return ['no leases'];
  const rows = leases.map((l) => [
    l.ip, l.state, l.hwAddress, l.clientId ?? '-', l.hostname ?? '-', String(l.subnetId), when(l.expiresAt ?? l.offerExpiresAt ?? l.probationUntil),
  ]);
  return [...table(['IP', 'STATE', 'MAC', 'CLIENT-ID', 'HOSTNAME', 'SUBNET', 'EXPIRES'], rows), `${leases.length} lease(s)`];
}

export function formatLease(lease: LeaseView, history: readonly Record<string, unknown>[] | undefined): string[] {
  const fields = Object.entries(lease).map(([k, v]) => [k, String(v)]);
  const lines = table(['FIELD', 'VALUE'], fields).slice(1);
  if (history === undefined) return lines;
  if (history.length === 0) return [...lines, '', 'history: none recorded'];
  const rows = history.map((h) => [when(typeof h['at'] === 'number' ? new Date(h['at']).toISOString() : undefined),
    String(h['from'] ?? ''), String(h['to'] ?? ''), String(h['event'] ?? '')]);
  return [...lines, '', ...table(['AT', 'FROM', 'TO', 'EVENT'], rows)];
}

type Counters = Readonly<Record<string, Readonly<Record<string, number>>>>;

function counterLines(counters: Counters): string[] {
  return Object.entries(counters)
    .filter(([, table]) => Object.keys(table).length > 0)
    .map(([name, t]) => `${name}: ${Object.entries(t).map(([k, v]) => `${k}=${v}`).join(' ')}`);
}

export function formatStats(stats: { counters: Counters; pools: readonly PoolUtilization[]; leases: number; activeClients: number; queuedRequests: number }): string[] {
  const pools = stats.pools.map((p) => [p.subnet, String(p.total), String(p.bound), String(p.offered), String(p.declined), String(p.grace),
    String(p.free), p.total === 0 ? '-' : `${(((p.total - p.free) / p.total) * 100).toFixed(1)}%`]);
  return [
    `leases: ${stats.leases}  active clients: ${stats.activeClients}  queued requests: ${stats.queuedRequests}`,
    '',
    ...table(['SUBNET', 'SIZE', 'BOUND', 'OFFERED', 'DECLINED', 'GRACE', 'FREE', 'USED'], pools),
    '',
    ...counterLines(stats.counters),
  ];
}

export function formatHealth(health: Health): string[] {
  const { store, children } = health;
  const child = (name: string, c: { status: string; restarts: number; lastError?: string }) =>
    [name, c.status, String(c.restarts), c.lastError ?? '-'];
  return [
    `status: ${health.status}  state: ${health.state}  serving: ${health.serving ? 'yes' : 'no'}`,
    `store: ${store.writable ? 'writable' : 'NOT WRITABLE'}  pending writes: ${store.pendingWrites}  commits: ${store.commits}` +
      (store.lastError === undefined ? '' : `  last error: ${store.lastError}`),
    `transactions: ${children.transactions.active} active, ${children.transactions.queued} queued`,
    '',
    ...table(['CHILD', 'STATUS', 'RESTARTS', 'LAST ERROR'], [child('store', children.store), child('ingress', children.ingress)]),
  ];
}

export function formatReload(report: ReloadReport): string[] {
  const ms = `${report.durationMs} ms`;
  if (report.result === 'unchanged') return [`config unchanged (${ms})`];
  if (report.result === 'failed') return [`reload failed, the running config is unchanged (${ms}):`, ...report.issues.map((i) => `  ${i.path}: ${i.message}`)];
  const { subnets, reservations, sections } = report.diff;
  const list = (name: string, items: readonly (string | number)[]) => (items.length === 0 ? [] : [`  ${name}: ${items.join(', ')}`]);
  return [
    `config reloaded (${ms})`,
    ...list('subnets added', subnets.added), ...list('subnets removed', subnets.removed), ...list('subnets changed', subnets.changed),
    ...list('reservations added', reservations.added), ...list('reservations removed', reservations.removed),
    ...list('sections changed', sections),
  ];
}
