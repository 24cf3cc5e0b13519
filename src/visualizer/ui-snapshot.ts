// The page's view of the daemon at one moment: per-state counts of the three machines, pools, the supervisor
// tree and recent security events; and a lease found by search with its timers and history.
import type { LeaseRecord } from '../../machines/lease.types.js';
import { parseQuery, searchHistory, type LeaseHistoryEntry } from './lease-search.js';
import { leafIds, MACHINES } from './statechart.js';
import type { UiDeps } from './ui-deps.js';

export interface UiSnapshot {
  readonly now: number;
  readonly counts: {
    /** By chart id: a nested state counts for its parent too ("leased" and "leased.bound"). */
    readonly lease: Record<string, number>;
    readonly transaction: Record<string, number>;
    /** The server machine is one actor: its current state (and its parent, for nested ones) count 1. */
    readonly server: Record<string, number>;
  };
  readonly pools: unknown;
  readonly supervisor: unknown;
  readonly security?: unknown;
}

const LEASE_CHART_IDS = leafIds(MACHINES.lease);

export function snapshotOf(deps: UiDeps): UiSnapshot {
  const lease = leaseCounts(deps);
  const server: Record<string, number> = {};
  countIn(server, deps.serverState());
  const security = deps.securityEvents?.(50);
  return {
    now: deps.now(),
    counts: { lease, transaction: deps.transactionStates(), server },
    pools: deps.pools(),
    supervisor: deps.health(),
    ...(security === undefined ? {} : { security }),
  };
}

/** Lease counts by chart id, from the states alone when the source can give them without building records. */
function leaseCounts(deps: UiDeps): Record<string, number> {
  const byState = new Map<string, number>();
  const add = (state: string) => byState.set(state, (byState.get(state) ?? 0) + 1);
  if (deps.forEachLease !== undefined) deps.forEachLease((_ip, _subnet, state) => add(state));
  else for (const record of deps.leases()) add(record.state);
  const lease: Record<string, number> = {};
  for (const [state, count] of byState) countIn(lease, LEASE_CHART_IDS.get(state) ?? state, count);
  return lease;
}

/** Counts a state and each of its ancestors, by chart id ("serving.running" counts "serving" too). */
function countIn(counts: Record<string, number>, id: string, count = 1): void {
  const parts = id.split('.');
  parts.forEach((_, i) => {
    const at = parts.slice(0, i + 1).join('.');
    counts[at] = (counts[at] ?? 0) + count;
  });
}

export interface LeaseTimer {
  readonly name: string;
  readonly at: number;
}

/** The deadlines that matter in the lease's state, as the operator names them. */
export function timersOf(record: LeaseRecord): LeaseTimer[] {
  const c = record.context;
  switch (record.state) {
    case 'offered': return [{ name: 'offer hold', at: c.offerExpiresAt }];
    case 'bound':
    case 'renewing':
    case 'rebinding':
      return [{ name: 'T1 (renew)', at: c.renewAt }, { name: 'T2 (rebind)', at: c.rebindAt }, { name: 'expiry', at: c.expiresAt }, { name: 'grace ends', at: c.graceUntil }];
    case 'expired': return [{ name: 'grace ends', at: c.graceUntil }];
    case 'declined': return [{ name: 'probation ends', at: c.probationUntil }];
    default: return [];
  }
}

export async function searchLeases(deps: UiDeps, text: string): Promise<(LeaseHistoryEntry & { timers: LeaseTimer[] })[]> {
  const entries = await searchHistory(deps.leases(), deps.history, parseQuery(text));
  return entries.map((entry) => ({ ...entry, timers: entry.lease === undefined ? [] : timersOf(entry.lease) }));
}
