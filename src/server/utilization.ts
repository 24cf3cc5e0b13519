// Per-subnet pool utilization (total, bound, offered, declined, free) for statistics and metrics.
import { ipToInt } from '../codec/index.js';
import type { ServerConfig } from '../config/types.js';
import { inPools, poolSize } from '../allocator/allocator.js';
import type { LeaseRecord } from '../../machines/lease.types.js';

export interface PoolUtilization {
  readonly subnet: string;
  readonly total: number;
  readonly bound: number;
  readonly offered: number;
  readonly declined: number;
  /** Expired leases still inside their grace period: not free yet. */
  readonly grace: number;
  readonly free: number;
}

/** Walks every lease once; for statistics, not the packet path. */
export function poolUtilization(config: ServerConfig, leases: Iterable<LeaseRecord>): PoolUtilization[] {
  const counts = new Map(config.subnets.map((s) => [s.id, { bound: 0, offered: 0, declined: 0, grace: 0 }]));
  for (const lease of leases) {
    const subnet = config.subnets.find((s) => s.id === lease.context.subnetId);
    const count = counts.get(lease.context.subnetId);
    if (subnet === undefined || count === undefined || !inPools(subnet.pools, ipToInt(lease.context.ip))) continue;
    if (lease.state === 'offered') count.offered++;
    else if (lease.state === 'declined') count.declined++;
    else if (lease.state === 'expired') count.grace++;
    else if (lease.state !== 'released' && lease.state !== 'reclaimed') count.bound++;
  }
  return config.subnets.map((subnet) => {
    const count = counts.get(subnet.id)!;
    const total = poolSize(subnet.pools);
    const used = count.bound + count.offered + count.declined + count.grace;
    return { subnet: subnet.cidr, total, ...count, free: total - used };
  });
}
