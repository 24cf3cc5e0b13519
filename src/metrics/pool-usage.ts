// Per-pool size / used / free and leases by state, from one walk over the lease book (at scrape time): over the
// address, subnet and state of each lease, which the book gives without building a record per lease.
import { intToIp, ipToInt } from '../codec/index.js';
import type { ServerConfig } from '../config/types.js';
import { LEASE_STATES } from '../leases/states.js';
import type { LeaseSummaryFn } from '../lease-columns/packed-leases.js';
import type { LeaseRecord } from '../store/types.js';

/** Calls `fn` for every lease. */
export type LeaseWalk = (fn: LeaseSummaryFn) => void;

/** The walk over a list of records (for sources without a cheaper one). */
export function walkRecords(leases: Iterable<LeaseRecord>): LeaseWalk {
  return (fn) => {
    for (const lease of leases) fn(ipToInt(lease.context.ip), lease.context.subnetId, lease.state);
  };
}

export interface PoolUsage {
  readonly subnetId: number;
  readonly subnet: string;
  /** "first-last" */
  readonly pool: string;
  readonly size: number;
  readonly used: number;
}

export interface LeaseCensus {
  readonly pools: readonly PoolUsage[];
  readonly byState: ReadonlyMap<string, number>;
}

/** Released and reclaimed addresses are free again; every other state holds its address. */
const FREE_STATES = new Set(['released', 'reclaimed']);

export function leaseCensus(config: ServerConfig, walk: LeaseWalk): LeaseCensus {
  const pools = config.subnets.flatMap((s) =>
    s.pools.map((p) => ({ subnetId: s.id, subnet: s.cidr, start: p.start, end: p.end, used: 0 })));
  const bySubnet = new Map<number, typeof pools>();
  for (const pool of pools) bySubnet.set(pool.subnetId, [...(bySubnet.get(pool.subnetId) ?? []), pool]);
  // Every state is reported, at 0 too, so alerts and graphs need no absent() guards.
  const byState = new Map<string, number>(LEASE_STATES.map((state) => [state, 0]));
  walk((n, subnetId, state) => {
    byState.set(state, (byState.get(state) ?? 0) + 1);
    if (FREE_STATES.has(state)) return;
    const pool = bySubnet.get(subnetId)?.find((p) => n >= p.start && n <= p.end);
    if (pool !== undefined) pool.used++;
  });
  return {
    byState,
    pools: pools.map((p) => ({
      subnetId: p.subnetId, subnet: p.subnet, pool: `${intToIp(p.start)}-${intToIp(p.end)}`, size: p.end - p.start + 1, used: p.used,
    })),
  };
}
