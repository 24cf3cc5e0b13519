// Pool-starvation guard: at most N active leases per option 82 circuit-id / remote-id, and at most M new leases
// per minute per relay (giaddr) or interface. Clients that already hold a lease are never held back by it.
// Memory: one attribution per lease granted to a client behind a circuit/remote id (bounded by the pools) and
// the shared, bounded token buckets.
import { relayAgentSubOptions } from '../codec/index.js';
import type { DhcpMessage } from '../codec/types.js';
import { MessageType } from '../codec/types.js';
import type { ScopedSecurity } from '../config/security.js';
import { rejection, type Rejection, type SecurityPacket } from './stage.js';
import type { TokenBuckets } from './token-buckets.js';

type Limits = NonNullable<ScopedSecurity['rateLimit']>;

export interface LeaseView {
  /** Whether the client holds a live lease (offered, bound, renewing, rebinding, in grace) in the subnet. */
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

export class StarvationGuard {
  /** ip → who was granted it; per id, the addresses granted behind it. */
  private readonly grants = new Map<string, { clientKey: string; circuit?: string; remote?: string }>();
  private readonly byId = new Map<string, Set<string>>();

  constructor(private readonly leases: LeaseView, private readonly buckets: TokenBuckets) {}

  check(p: SecurityPacket, limits: Limits): Rejection | undefined {
    const type = p.request.type;
    if (type !== MessageType.DISCOVER && type !== MessageType.REQUEST) return undefined;
    const subnet = p.subnet;
    if (subnet !== undefined && this.leases.hasLease(subnet.id, p.clientKey)) return undefined;
    const ids = agentIds(p.request);
    if (ids.circuit !== undefined && limits.maxActiveLeasesPerCircuitId !== undefined
      && this.active(`c:${ids.circuit}`) >= limits.maxActiveLeasesPerCircuitId) return rejection('rate-limit', 'circuit-id-lease-limit', { circuitId: ids.circuit });
    if (ids.remote !== undefined && limits.maxActiveLeasesPerRemoteId !== undefined
      && this.active(`r:${ids.remote}`) >= limits.maxActiveLeasesPerRemoteId) return rejection('rate-limit', 'remote-id-lease-limit', { remoteId: ids.remote });
    const relay = p.request.giaddr !== '0.0.0.0' ? p.request.giaddr : undefined;
    if (relay !== undefined && limits.maxNewLeasesPerMinutePerRelay !== undefined
      && !this.buckets.has(`new-relay:${relay}`, perMinute(limits.maxNewLeasesPerMinutePerRelay), p.now)) return rejection('rate-limit', 'relay-new-lease-rate');
    if (relay === undefined && p.iface !== undefined && limits.maxNewLeasesPerMinutePerInterface !== undefined
      && !this.buckets.has(`new-iface:${p.iface}`, perMinute(limits.maxNewLeasesPerMinutePerInterface), p.now)) return rejection('rate-limit', 'interface-new-lease-rate');
    return undefined;
  }

  /** An ACK went out for `ip`: a new lease charges its relay's or interface's bucket and is attributed to its ids. */
  granted(p: SecurityPacket, ip: string, limits: Limits): void {
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

  /** Leases behind an id still held by their clients; the ones gone are forgotten on the way. */
  private active(key: string): number {
    const ips = this.byId.get(key);
    if (ips === undefined) return 0;
    for (const ip of ips) {
      const grant = this.grants.get(ip);
      if (grant === undefined || !this.leases.isHeldBy(ip, grant.clientKey)) this.forget(ip, grant);
    }
    return ips.size;
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
