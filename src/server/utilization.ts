// Per-subnet pool utilization (total, bound, offered, declined, free) for statistics and metrics: counts kept up to
// date with every change of the lease book, so a statistics call costs O(subnets), not a walk over 10^6 leases.
import type { ServerConfig, Subnet } from '../config/types.js';
import { inPools, poolSize } from '../allocator/allocator.js';
import type { LeaseBook } from '../leases/lease-book.js';
import type { LeaseRecord, LeaseState } from '../../machines/lease.types.js';
import { parseIpv4 } from '../codec/index.js';

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

interface Counts {
  bound: number;
  offered: number;
  declined: number;
  grace: number;
}

/** Which count a stored state goes to; final states hold no address. */
function categoryOf(state: LeaseState): keyof Counts | undefined {
  switch (state) {
    case 'offered': return 'offered';
    case 'declined': return 'declined';
    case 'expired': return 'grace';
    case 'released':
    case 'reclaimed': return undefined;
    default: return 'bound';
  }
}

export class PoolUtilizationCounter {
  /** The subnets the counts are for: a reload that replaces them makes the next call count again. */
  private countedFor: readonly Subnet[] | undefined;
  private subnets = new Map<number, Subnet>();
  private counts = new Map<number, Counts>();
  private following = false;

  constructor(
    private readonly book: LeaseBook,
    private readonly config: () => ServerConfig,
  ) {}

  current(): PoolUtilization[] {
    const { subnets } = this.config();
    if (this.countedFor !== subnets) this.recount(subnets);
    return subnets.map((subnet) => {
      const count = this.counts.get(subnet.id)!;
      const total = poolSize(subnet.pools);
      const used = count.bound + count.offered + count.declined + count.grace;
      return { subnet: subnet.cidr, total, ...count, free: total - used };
    });
  }

  /** One walk over the book (no records built), then every change follows. */
  private recount(subnets: readonly Subnet[]): void {
    this.countedFor = subnets;
    this.subnets = new Map(subnets.map((s) => [s.id, s]));
    this.counts = new Map(subnets.map((s) => [s.id, { bound: 0, offered: 0, declined: 0, grace: 0 }]));
    this.book.forEachLease((ip, subnetId, state) => this.count(ip, subnetId, state, 1));
    if (this.following) return;
    this.following = true;
    this.book.onStoredChange((before, after) => {
      if (before !== undefined) this.countRecord(before, -1);
      if (after !== undefined) this.countRecord(after, 1);
    });
  }

  private countRecord(record: LeaseRecord, delta: number): void {
    this.count(parseIpv4(record.context.ip), record.context.subnetId, record.state, delta);
  }

  private count(ip: number, subnetId: number, state: LeaseState, delta: number): void {
    const category = categoryOf(state);
    const subnet = this.subnets.get(subnetId);
    if (category === undefined || subnet === undefined || !inPools(subnet.pools, ip)) return;
    this.counts.get(subnetId)![category] += delta;
  }
}
