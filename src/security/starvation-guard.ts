// Pool-starvation guard: at most N active leases per option 82 circuit-id / remote-id, and at most M new leases
// per minute per relay (giaddr) or interface. Clients that already hold a lease are never held back by it.
// Memory: one attribution per lease granted to a client behind a circuit/remote id (bounded by the pools), one
// per REQUEST let through and not yet answered (at most MAX_PENDING, for PENDING_MS), and the shared, bounded
// token buckets.
import { relayAgentSubOptions } from '../codec/index.js';
import type { DhcpMessage } from '../codec/types.js';
import { MessageType } from '../codec/types.js';
import type { ScopedSecurity } from '../config/security.js';
import { rejection, type Rejection, type SecurityPacket } from './stage.js';
import type { TokenBuckets } from './token-buckets.js';

type Limits = NonNullable<ScopedSecurity['rateLimit']>;

export interface LeaseView {
  /** Whether the client holds a live lease (bound, renewing, rebinding, in grace; not a mere offer) in the subnet. */
  hasLease(subnetId: number, clientKey: string): boolean;
  /** Whether the address is still bound to that client. */
  isHeldBy(ip: string, clientKey: string): boolean;
}

/** Option 82 sub-options 1 (circuit-id) and 2 (remote-id) as hex. */
export function agentIds(message: DhcpMessage): { circuit?: string; remote?: string } {
  const subs = relayAgentSubOptions(message);
  if (subs === undefined) return {};
  const circuit = subs.find((s) => s.code === 1)?.data.toString('hex');
  const remote = subs.find((s) => s.code === 2)?.data.toString('hex');
  return { ...(circuit !== undefined ? { circuit } : {}), ...(remote !== undefined ? { remote } : {}) };
}

const perMinute = (n: number) => ({ perSecond: n / 60, burst: n });

/**
 * A REQUEST let through counts against its ids until its ACK is granted: else a burst of REQUESTs, all checked
 * before the first ACK, would all pass. A NAK or a drop ends it; one never decided stops counting after PENDING_MS.
 */
const PENDING_MS = 5_000;
const MAX_PENDING = 10_000;

export class StarvationGuard {
  /** ip → who was granted it; per id, the addresses granted behind it. */
  private readonly grants = new Map<string, { clientKey: string; circuit?: string; remote?: string }>();
  private readonly byId = new Map<string, Set<string>>();
  /** clientKey → the ids its REQUEST was let through behind, and until when it counts (oldest first). */
  private readonly pending = new Map<string, { readonly keys: readonly string[]; readonly until: number }>();

  constructor(private readonly leases: LeaseView, private readonly buckets: TokenBuckets) {}

  check(p: SecurityPacket, limits: Limits): Rejection | undefined {
    const type = p.request.type;
    if (type !== MessageType.DISCOVER && type !== MessageType.REQUEST) return undefined;
    const subnet = p.subnet;
    if (subnet !== undefined && this.leases.hasLease(subnet.id, p.clientKey)) return undefined;
    const ids = agentIds(p.request);
    this.pending.delete(p.clientKey); // its own earlier REQUEST does not count against it
    if (ids.circuit !== undefined && limits.maxActiveLeasesPerCircuitId !== undefined
      && this.active(`c:${ids.circuit}`, p.now) >= limits.maxActiveLeasesPerCircuitId) return rejection('rate-limit', 'circuit-id-lease-limit', { circuitId: ids.circuit });
    if (ids.remote !== undefined && limits.maxActiveLeasesPerRemoteId !== undefined
      && this.active(`r:${ids.remote}`, p.now) >= limits.maxActiveLeasesPerRemoteId) return rejection('rate-limit', 'remote-id-lease-limit', { remoteId: ids.remote });
    const relay = p.request.giaddr !== '0.0.0.0' ? p.request.giaddr : undefined;
    if (relay !== undefined && limits.maxNewLeasesPerMinutePerRelay !== undefined
      && !this.buckets.has(`new-relay:${relay}`, perMinute(limits.maxNewLeasesPerMinutePerRelay), p.now)) return rejection('rate-limit', 'relay-new-lease-rate');
    if (relay === undefined && p.iface !== undefined && limits.maxNewLeasesPerMinutePerInterface !== undefined
      && !this.buckets.has(`new-iface:${p.iface}`, perMinute(limits.maxNewLeasesPerMinutePerInterface), p.now)) return rejection('rate-limit', 'interface-new-lease-rate');
    if (type === MessageType.REQUEST) this.expectGrant(p.clientKey, ids, p.now);
    return undefined;
  }

  /** Its REQUEST was NAKed or dropped. */
  notGranted(clientKey: string): void {
    this.pending.delete(clientKey);
  }

  private expectGrant(clientKey: string, ids: { circuit?: string; remote?: string }, now: number): void {
    const keys = this.keysOf(ids);
    if (keys.length === 0) return;
    this.pending.set(clientKey, { keys, until: now + PENDING_MS });
    for (const oldest of this.pending.keys()) {
      if (this.pending.size <= MAX_PENDING) break;
      this.pending.delete(oldest);
    }
  }

  /** An ACK went out for `ip`: a new lease charges its relay's or interface's bucket and is attributed to its ids. */
  granted(p: SecurityPacket, ip: string, limits: Limits): void {
    this.pending.delete(p.clientKey);
    const previous = this.grants.get(ip);
    if (previous?.clientKey === p.clientKey) return; // a renewal or a retransmission
    if (previous !== undefined) this.forget(ip, previous);
    const relay = p.request.giaddr !== '0.0.0.0' ? p.request.giaddr : undefined;
    if (relay !== undefined && limits.maxNewLeasesPerMinutePerRelay !== undefined) this.buckets.take(`new-relay:${relay}`, perMinute(limits.maxNewLeasesPerMinutePerRelay), p.now);
    if (relay === undefined && p.iface !== undefined && limits.maxNewLeasesPerMinutePerInterface !== undefined) {
      this.buckets.take(`new-iface:${p.iface}`, perMinute(limits.maxNewLeasesPerMinutePerInterface), p.now);
    }
    const ids = agentIds(p.request);
    if (ids.circuit === undefined && ids.remote === undefined) return;
    const grant = { clientKey: p.clientKey, ...ids };
    this.grants.set(ip, grant);
    for (const key of this.keysOf(grant)) {
      let set = this.byId.get(key);
      if (set === undefined) this.byId.set(key, (set = new Set()));
      set.add(ip);
    }
  }

  /** Leases behind an id still held by their clients (the ones gone forgotten on the way), and REQUESTs under way. */
  private active(key: string, now: number): number {
    let pending = 0;
    for (const [clientKey, p] of this.pending) {
      if (p.until <= now) this.pending.delete(clientKey);
      else if (p.keys.includes(key)) pending++;
    }
    const ips = this.byId.get(key);
    if (ips === undefined) return pending;
    for (const ip of ips) {
      const grant = this.grants.get(ip);
      if (grant === undefined || !this.leases.isHeldBy(ip, grant.clientKey)) this.forget(ip, grant);
    }
    return ips.size + pending;
  }

  private forget(ip: string, grant: { clientKey: string; circuit?: string; remote?: string } | undefined): void {
    this.grants.delete(ip);
    for (const key of grant === undefined ? [...this.byId.keys()] : this.keysOf(grant)) {
      const set = this.byId.get(key);
      set?.delete(ip);
      if (set?.size === 0) this.byId.delete(key);
    }
  }

  private keysOf(grant: { circuit?: string; remote?: string }): string[] {
    return [...(grant.circuit !== undefined ? [`c:${grant.circuit}`] : []), ...(grant.remote !== undefined ? [`r:${grant.remote}`] : [])];
  }
}
