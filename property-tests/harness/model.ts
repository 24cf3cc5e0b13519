// The simple model the whole server is checked against: what each client was told (ACKed bindings, offers),
// what it gave back (releases, declines), the clock, and the config in force. It knows nothing of machines.
import { ipToInt } from '../../src/codec/index.js';
import type { Reservation, ServerConfig, Subnet } from '../../src/config/types.js';
import { compileOnce } from './server-under-test.js';
import { CLIENTS, VARIANTS, timingOf, type Client, type Timing, type Variant } from './scenario.js';

export interface Binding {
  readonly client: string;
  readonly subnetId: number;
  readonly boundAt: number;
  readonly renewAt: number;
  readonly rebindAt: number;
  readonly expiresAt: number;
  readonly graceUntil: number;
}

export interface Offer {
  readonly client: string;
  readonly subnetId: number;
  readonly at: number;
  readonly until: number;
  /** The server may or may not have withdrawn it (the model cannot tell which of a client's offers it picked). */
  readonly maybe: boolean;
}

/** The lease book's last record for an address: who it belongs to (whatever its state). */
export interface Owner {
  readonly client: string;
  readonly subnetId: number;
}

/** Surely, surely not, or maybe. */
export type Tri = 'yes' | 'no' | 'maybe';

/**
 * Offers made by DISCOVERs decided at the same time as the one judged (a Burst): each is in its conflict-check
 * probe ('probe': its address was new to its client), may be ('maybe': it was the client's own before), or was
 * sent at once (not in the map); `sentAt`: where its OFFER came among the burst's replies (its probe ended then).
 * Outside a Burst every probe ends within its command.
 */
export type Concurrent = ReadonlyMap<string, { readonly probe: 'probe' | 'maybe'; readonly sentAt: number }>;

/** Another client's offer, whose address the server may offer this client too (unreserved) when the pool is full. */
export interface Shareable {
  readonly ip: string;
  readonly maybe: boolean;
  /** Sent (out of its probe): only then may its address be offered to another client. */
  readonly sent: Tri;
  /** Where its OFFER came among a burst's replies (Infinity: never; undefined: before the burst). */
  readonly sentAt?: number;
}

/** An OFFER made under pressure that holds nothing: the client's REQUEST for it wins the address if it is first. */
export interface Unreserved {
  readonly ip: string;
  readonly subnetId: number;
  readonly until: number;
}

export type Phase = 'bound' | 'renewing' | 'rebinding' | 'expired';
export type Held =
  | { readonly kind: 'free' }
  | { readonly kind: 'maybe' }
  | { readonly kind: 'binding'; readonly client: string; readonly phase: Phase }
  | { readonly kind: 'offer'; readonly client: string }
  | { readonly kind: 'declined'; readonly client: string };

export class Model {
  now: number;
  variant: Variant = 'base';
  config: ServerConfig = compileOnce(VARIANTS.base);
  readonly bindings = new Map<string, Binding>();
  readonly offers = new Map<string, Offer>();
  readonly declined = new Map<string, { client: string; until: number }>();
  records = new Map<string, Owner>();
  readonly persisted = new Map<string, Owner>();
  readonly limiter = new Map<string, { count: number; since: number }>();
  /** The address each client last heard of (offer or ACK): what "its own address" means in a command. */
  readonly lastAddress = new Map<string, string>();
  /** Each client's unreserved offer (docs/protocol.md "Offers yield under pressure"), by client name. */
  readonly unreserved = new Map<string, Unreserved>();

  constructor(now: number) {
    this.now = now;
  }

  static client(name: string): Client {
    const found = CLIENTS.find((c) => c.name === name);
    if (found === undefined) throw new TypeError(`no client ${name}`);
    return found;
  }

  /** The client's home subnet; undefined once a reload removed it (relayed clients under 'noRelay'). */
  subnetOf(client: Client): Subnet | undefined {
    return this.config.subnets.find((s) => s.id === (client.relayed ? 2 : 1));
  }

  /** Set while a generated config is in force (reload-command.ts): its timing, worked out from that file. */
  generatedTiming: ((subnetId: number) => Timing) | undefined;

  /** Lease times of a subnet under the variant in force, from the scenario (not the server's compiled config). */
  timing(subnetId: number): Timing {
    return this.generatedTiming?.(subnetId) ?? timingOf(this.variant, subnetId);
  }

  subnetContaining(ip: string): Subnet | undefined {
    const n = ipToInt(ip);
    return this.config.subnets.find((s) => ((n & s.mask) >>> 0) === s.network);
  }

  reservationOf(client: Client, subnet: Subnet): Reservation | undefined {
    const id = client.key.startsWith('id:') ? client.key.slice(3) : undefined;
    return subnet.reservations.find((r) => r.hwAddress === client.spec.mac || (id !== undefined && r.clientId === id));
  }

  reservedForOther(subnet: Subnet, ip: string, client: Client): boolean {
    const mine = this.reservationOf(client, subnet);
    return subnet.reservations.some((r) => r.address === ipToInt(ip) && r !== mine);
  }

  inPools(subnet: Subnet, ip: string): boolean {
    const n = ipToInt(ip);
    return subnet.pools.some((p) => n >= p.start && n <= p.end);
  }

  /** May the client hold `ip` in `subnet` under the config in force (RFC 2131 §4.3.2 "valid for the network"). */
  valid(subnet: Subnet, ip: string, client: Client): boolean {
    if (((ipToInt(ip) & subnet.mask) >>> 0) !== subnet.network) return false;
    if (this.reservationOf(client, subnet)?.address === ipToInt(ip)) return true;
    return this.inPools(subnet, ip) && !this.reservedForOther(subnet, ip, client);
  }

  phase(b: Binding): Phase | undefined {
    if (this.now >= b.graceUntil) return undefined;
    if (this.now >= b.expiresAt) return 'expired';
    if (this.now >= b.rebindAt) return 'rebinding';
    if (this.now >= b.renewAt) return 'renewing';
    return 'bound';
  }

  held(ip: string): Held {
    const b = this.bindings.get(ip);
    const phase = b === undefined ? undefined : this.phase(b);
    if (b !== undefined && phase !== undefined) return { kind: 'binding', client: b.client, phase };
    const d = this.declined.get(ip);
    if (d !== undefined && this.now < d.until) return { kind: 'declined', client: d.client };
    const o = this.offers.get(ip);
    if (o !== undefined && this.now < o.until) return o.maybe ? { kind: 'maybe' } : { kind: 'offer', client: o.client };
    return { kind: 'free' };
  }

  /** The client's live binding or offer at `ip` (what the server would commit), or 'maybe'. */
  liveOf(client: Client, ip: string): 'binding' | 'offer' | 'maybe' | undefined {
    const h = this.held(ip);
    if (h.kind === 'maybe') return this.offers.get(ip)?.client === client.name ? 'maybe' : undefined;
    if ((h.kind === 'binding' || h.kind === 'offer') && h.client === client.name) return h.kind;
    return undefined;
  }

  /** The lease book's `currentLeaseOf` among live records: the latest changed one; 'ambiguous' on a tie or a maybe. */
  current(client: Client, subnetId: number): string | 'ambiguous' | undefined {
    let best: string | undefined;
    let bestAt = -Infinity;
    let tie = false;
    for (const ip of this.addressesOf(client, subnetId)) {
      const h = this.held(ip);
      if (h.kind === 'maybe') return 'ambiguous';
      let at: number;
      if (h.kind === 'binding') {
        const b = this.bindings.get(ip)!;
        at = Math.max(...[b.boundAt, b.renewAt, b.rebindAt, b.expiresAt].filter((t) => t <= this.now));
      } else if (h.kind === 'offer') {
        at = this.offers.get(ip)!.at;
      } else continue;
      if (at === bestAt) tie = true;
      if (at > bestAt) [best, bestAt, tie] = [ip, at, false];
    }
    return tie ? 'ambiguous' : best;
  }

  /** Live bindings of the client in a subnet (the "two bindings in one subnet" invariant counts these). */
  bindingsOf(client: Client, subnetId: number): string[] {
    return [...this.bindings].filter(([, b]) => b.client === client.name && b.subnetId === subnetId && this.phase(b))
      .map(([ip]) => ip);
  }

  /** Would the server let the client have its reservation now (no one else holds it, not in probation). */
  usableReservation(client: Client, subnet: Subnet): string | undefined {
    const r = this.reservationOf(client, subnet);
    if (r === undefined) return undefined;
    const ip = addressOf(r);
    const h = this.held(ip);
    if (h.kind === 'free' || ((h.kind === 'binding' || h.kind === 'offer') && h.client === client.name)) return ip;
    return undefined;
  }

  freeFor(client: Client, subnet: Subnet, ip: string): boolean {
    return this.inPools(subnet, ip) && this.held(ip).kind === 'free' && !this.reservedForOther(subnet, ip, client);
  }

  anyFreeFor(client: Client, subnet: Subnet): boolean {
    for (const pool of subnet.pools) {
      for (let n = pool.start; n <= pool.end; n++) if (this.freeFor(client, subnet, intIp(n))) return true;
    }
    return false;
  }

  /**
   * Other clients' live offers in the subnet whose address `client` may hold (docs/protocol.md "Offers yield under
   * pressure"): what a full pool offers it unreserved.
   */
  shareable(client: Client, subnet: Subnet, concurrent: Concurrent = new Map()): Shareable[] {
    return [...this.offers]
      .filter(([ip, o]) => o.subnetId === subnet.id && o.client !== client.name && this.now < o.until
        && this.held(ip).kind !== 'free' && this.inPools(subnet, ip) && !this.reservedForOther(subnet, ip, client))
      .map(([ip, o]) => {
        const at = concurrent.get(ip)?.sentAt;
        return { ip, maybe: o.maybe, sent: this.sent(ip, concurrent), ...(at !== undefined ? { sentAt: at } : {}) };
      });
  }

  private sent(ip: string, concurrent: Concurrent): Tri {
    const probe = this.config.conflictCheck.enabled ? concurrent.get(ip)?.probe : undefined;
    return probe === undefined ? 'yes' : probe === 'probe' ? 'no' : 'maybe';
  }

  /** Addresses the server may offer `client` unreserved; `sure`: only those surely so (then silence is wrong). */
  unreservable(client: Client, subnet: Subnet, concurrent: Concurrent, sure: boolean): string[] {
    return this.shareable(client, subnet, concurrent)
      .filter((o) => (sure ? o.sent === 'yes' && !o.maybe : o.sent !== 'no'))
      .map((o) => o.ip);
  }

  /**
   * Other clients' offers that surely exist and whose address `client` may be offered unreserved, at once or once
   * their probe ends (joined, src/server/offer-joined.ts): with any of them a full pool answers.
   */
  answerable(client: Client, subnet: Subnet, concurrent: Concurrent): string[] {
    return this.shareable(client, subnet, concurrent).filter((o) => !o.maybe).map((o) => o.ip);
  }

  /** The client's unreserved offer in the subnet, unless it expired. */
  unreservedOf(client: Client, subnetId: number): Unreserved | undefined {
    const u = this.unreserved.get(client.name);
    return u !== undefined && u.subnetId === subnetId && this.now < u.until ? u : undefined;
  }

  /** The server offered `ip` to the client unreserved: the holder keeps its offer. */
  offeredUnreserved(client: Client, subnet: Subnet, ip: string): void {
    this.unreserved.set(client.name, { ip, subnetId: subnet.id, until: this.now + this.config.offerHoldMs });
    this.lastAddress.set(client.name, ip);
  }

  /** Does the book hold any record (any state) of this client in this subnet. */
  knows(client: Client, subnetId: number): boolean {
    return this.addressesOf(client, subnetId).length > 0;
  }

  blocked(client: Client): boolean {
    const e = this.limiter.get(client.name);
    return e !== undefined && this.now - e.since <= this.config.declineProbationMs && e.count > this.config.maxDeclinesPerClient;
  }

  // --- updates, applied once the server's answer has been checked ---

  offered(client: Client, subnet: Subnet, ip: string): void {
    this.unreserved.delete(client.name);
    // An outstanding offer of another address is withdrawn: the client asked for one that had become free.
    if (this.current(client, subnet.id) !== ip) this.withdrawn(client, subnet.id);
    const h = this.held(ip);
    if (h.kind === 'offer' && h.client === client.name) {
      this.offers.set(ip, { ...this.offers.get(ip)!, at: this.now, until: this.now + this.config.offerHoldMs });
    } else if (h.kind === 'free' || h.kind === 'maybe') {
      this.bindings.delete(ip);
      this.declined.delete(ip);
      this.offers.set(ip, {
        client: client.name, subnetId: subnet.id, at: this.now, until: this.now + this.config.offerHoldMs, maybe: false,
      });
      this.records.set(ip, { client: client.name, subnetId: subnet.id });
    }
    this.lastAddress.set(client.name, ip);
  }

  acked(client: Client, subnet: Subnet, ip: string): void {
    const t = this.timing(subnet.id);
    const now = this.now;
    const expiresAt = now + t.leaseMs;
    this.bindings.set(ip, {
      client: client.name, subnetId: subnet.id, boundAt: now, renewAt: now + t.renewMs,
      rebindAt: now + t.rebindMs, expiresAt, graceUntil: expiresAt + t.graceMs,
    });
    this.offers.delete(ip);
    this.declined.delete(ip);
    this.store(ip, client, subnet.id);
    this.lastAddress.set(client.name, ip);
    // One binding per client per subnet: the old one is given up.
    for (const other of this.bindingsOf(client, subnet.id)) if (other !== ip) this.released(client, other);
  }

  released(client: Client, ip: string): void {
    const b = this.bindings.get(ip)!;
    this.bindings.delete(ip);
    this.store(ip, client, b.subnetId);
  }

  declinedBy(client: Client, ip: string): void {
    const b = this.bindings.get(ip)!;
    this.bindings.delete(ip);
    this.declined.set(ip, { client: client.name, until: this.now + this.config.declineProbationMs });
    this.store(ip, client, b.subnetId);
  }

  /** A DECLINE of one of the client's own records counts against its limit; false once over it. */
  declineCounted(client: Client): boolean {
    const e = this.limiter.get(client.name);
    if (e === undefined || this.now - e.since > this.config.declineProbationMs) this.limiter.set(client.name, { count: 1, since: this.now });
    else e.count++;
    return !this.blocked(client);
  }

  /** The client took another server's offer: the server withdraws its current record if that is an offer. */
  withdrawn(client: Client, subnetId: number): void {
    const current = this.current(client, subnetId);
    const mine = (ip: string) => this.offers.get(ip)?.client === client.name && this.held(ip).kind !== 'free';
    if (current === 'ambiguous') {
      for (const ip of this.addressesOf(client, subnetId)) if (mine(ip)) this.offers.set(ip, { ...this.offers.get(ip)!, maybe: true });
    } else if (current !== undefined && this.held(current).kind === 'offer') {
      this.offers.delete(current);
    }
  }

  /** What survives the process: acknowledged bindings, releases and declines; offers and counters do not. */
  crashed(): void {
    this.offers.clear();
    this.unreserved.clear();
    this.limiter.clear();
    this.records = new Map(this.persisted);
  }

  private store(ip: string, client: Client, subnetId: number): void {
    const owner = { client: client.name, subnetId };
    this.records.set(ip, owner);
    this.persisted.set(ip, owner);
  }

  private addressesOf(client: Client, subnetId: number): string[] {
    return [...this.records].filter(([, o]) => o.client === client.name && o.subnetId === subnetId).map(([ip]) => ip);
  }
}

export const intIp = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
const addressOf = (r: Reservation): string => intIp(r.address);
