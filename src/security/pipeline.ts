// The security stages as RxJS operators between decode and routing, in the seed's order: snooping/trust → MAC
// filter → IP filter → rate limit → authentication → allow. Every rejection becomes a SecurityEvent: counted per
// stage and reason, kept in a bounded ring, logged aggregated (`security.rejected`, DHCPD_ERR_SECURITY_REJECTED).
import { Observable, type OperatorFunction } from '../rx.js';
import { AggregatedLog } from '../aggregated-log.js';
import type { Clock } from '../clock.js';
import { MessageType } from '../codec/types.js';
import type { ServerConfig } from '../config/types.js';
import type { CodecError } from '../errors.js';
import type { LeaseBook } from '../leases/lease-book.js';
import { isBinding, isLeaseOf, isLiveLeaseOf } from '../leases/states.js';
import type { Logger } from '../log.js';
import type { DecodedInbound } from '../net/ingress.js';
import type { Inbound } from '../net/types.js';
import { authStage, ReplayCounters, type Authenticated } from './auth.js';
import { SecurityCounters, SecurityEventRing, type SecurityEvent } from './events.js';
import { ipFilterStage } from './ip-filter.js';
import { macFilterStage } from './mac-filter.js';
import { rateLimitStage } from './rate-limit.js';
import { isServerOnly, snoopingStage } from './snooping.js';
import { ReplySigner } from './reply-signer.js';
import { configuredStages, SecurityPacket, type Rejection, type Stage } from './stage.js';
import { StarvationGuard, type LeaseView } from './starvation-guard.js';
import { TokenBuckets } from './token-buckets.js';

export interface SecurityDeps {
  readonly config: () => ServerConfig;
  readonly clock: Clock;
  readonly log: Logger;
  readonly book: LeaseBook;
  readonly clientKeyOf: (decoded: DecodedInbound) => string;
  /** Every rejection, also for the daemon's error counters. */
  readonly onReject?: (event: SecurityEvent) => void;
}

/** What the ingress routes: a decoded request that passed every stage, with its client key. */
export interface Admitted extends DecodedInbound {
  readonly clientKey: string;
}

export class Security {
  readonly counters = new SecurityCounters();
  readonly events: SecurityEventRing;
  readonly buckets: TokenBuckets;
  readonly replays: ReplayCounters;
  private readonly guard: StarvationGuard;
  private readonly notices: AggregatedLog;
  private readonly stages: readonly Stage[];
  /** Datagrams that authenticated (RFC 3118), weakly: an entry goes with its datagram. */
  private readonly authenticated = new SignersSeen();
  private readonly signer: ReplySigner;

  constructor(private readonly deps: SecurityDeps) {
    const sec = () => deps.config().security;
    this.events = new SecurityEventRing(sec().eventRing);
    this.notices = new AggregatedLog({ clock: deps.clock, log: deps.log, intervalMs: sec().logIntervalMs });
    this.buckets = new TokenBuckets(() => ({ maxBuckets: sec().maxBuckets, idleMs: sec().bucketIdleMs }));
    this.replays = new ReplayCounters(() => sec().maxReplayClients);
    this.guard = new StarvationGuard(leaseView(deps.book), this.buckets);
    this.stages = [snoopingStage(), macFilterStage(), ipFilterStage(), rateLimitStage(this.buckets, this.guard), authStage(this.replays, this.authenticated)];
    this.signer = new ReplySigner(() => deps.clock.now());
  }

  /**
   * The stages in their order as one operator (one subscriber per datagram, not seven); what passes them all goes
   * on to routing. A stage that throws fails the stream, as a throw inside an operator would.
   */
  operator(): OperatorFunction<DecodedInbound, Admitted> {
    return (source) => new Observable<Admitted>((subscriber) =>
      source.subscribe({
        next: (decoded) => {
          let admitted: Admitted | undefined;
          try {
            admitted = this.admit(decoded);
          } catch (error) {
            subscriber.error(error);
            return;
          }
          if (admitted !== undefined) subscriber.next(admitted);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }));
  }

  /** The request as routed when every stage passes it, else undefined (the rejection reported). */
  private admit(decoded: DecodedInbound): Admitted | undefined {
    const config = this.deps.config();
    const clientKey = this.deps.clientKeyOf(decoded);
    // No stage configured anywhere: only snooping's always-on check could reject, and not a client's message type.
    if (!configuredStages(config.security).any && !isServerOnly(decoded.request.type)) {
      return { request: decoded.request, inbound: decoded.inbound, clientKey };
    }
    const p = new SecurityPacket(decoded.request, decoded.inbound, clientKey, this.deps.clock.now(), config);
    for (let i = 0; i < this.stages.length; i++) if (!this.passes(this.stages[i]!, p)) return undefined;
    return { request: p.request, inbound: p.inbound, clientKey };
  }

  /** The reply to a request that authenticated carries our own option 90 and MAC; others are returned as they are. */
  signReply(reply: Buffer, request: Inbound): Buffer {
    // Until a request has authenticated, no reply is signed: no lookup per reply (a daemon without RFC 3118 keys).
    if (!this.authenticated.any) return reply;
    const signing = this.authenticated.get(request);
    return signing === undefined ? reply : this.signer.sign(reply, signing);
  }

  /** A server-only datagram (a BOOTREPLY) heard on the server port: a loop or a confused server. */
  codecRejected(error: CodecError, inbound: Inbound): void {
    if (error.code !== 'DHCPD_ERR_CODEC_NOT_REQUEST') return;
    this.report({ at: this.deps.clock.now(), stage: 'snooping', reason: 'bootreply-on-server-port', ...where(inbound) });
  }

  /** An ACK went out: the starvation guard counts new leases (the ACK of an INFORM grants none). */
  granted(routed: Admitted, ip: string): void {
    if (routed.request.type === MessageType.INFORM) return;
    const config = this.deps.config();
    // No rate limit anywhere: nothing to count (and no packet view to make per ACK).
    if (!configuredStages(config.security).rateLimit) return;
    const p = new SecurityPacket(routed.request, routed.inbound, routed.clientKey, this.deps.clock.now(), config);
    const limits = p.settings('rateLimit');
    if (limits !== undefined) this.guard.granted(p, ip, limits);
  }

  /** A request answered otherwise than with an ACK (a NAK, a drop): it no longer counts against its ids. */
  notGranted(routed: Admitted): void {
    if (routed.request.type === MessageType.REQUEST) this.guard.notGranted(routed.clientKey);
  }

  report(event: SecurityEvent): void {
    this.counters.count(event.stage, event.reason);
    this.events.push(event);
    this.deps.onReject?.(event);
    this.notices.note('warn', 'security.rejected', `${event.stage}/${event.reason}`, 'packet rejected by a security stage', {
      err: { type: 'SecurityError', code: 'DHCPD_ERR_SECURITY_REJECTED', message: `${event.stage}: ${event.reason}` },
      stage: event.stage, client: event.client, iface: event.iface, giaddr: event.giaddr, detail: event.detail,
    });
  }

  /** Another server answering on our links (rogue-detector.ts): counted, kept, logged (once per source per interval). */
  rogue(event: SecurityEvent): void {
    this.counters.count(event.stage, event.reason);
    this.events.push(event);
    this.deps.log.warn({ evt: 'security.rogue_server', ...event.detail }, 'another DHCP server answers on a served link');
  }

  flush(): void {
    this.notices.flush();
  }

  private passes(stage: Stage, p: SecurityPacket): boolean {
    const rejected = stage.check(p);
    if (rejected === undefined) return true;
    this.report(eventOf(rejected, p));
    return false;
  }
}

function where(inbound: Inbound): Pick<SecurityEvent, 'iface' | 'detail'> {
  return { ...(inbound.iface ? { iface: inbound.iface.name } : {}), detail: { source: inbound.from.address } };
}

function eventOf(r: Rejection, p: SecurityPacket): SecurityEvent {
  return {
    at: p.now, stage: r.stage, reason: r.reason, client: p.clientKey,
    ...(p.iface !== undefined ? { iface: p.iface } : {}),
    ...(p.request.giaddr !== '0.0.0.0' ? { giaddr: p.request.giaddr } : {}),
    detail: { source: p.inbound.from.address, type: MessageType[p.request.type], ...r.detail },
  };
}

function leaseView(book: LeaseBook): LeaseView {
  return {
    // A held offer is not a lease: a flood of clients each holding one must not pass as renewing holders.
    hasLease: (subnetId, clientKey) => {
      const record = book.currentLeaseOf(subnetId, clientKey);
      return isLeaseOf(record, clientKey) && isBinding(record.state);
    },
    isHeldBy: (ip, clientKey) => isLiveLeaseOf(book.get(ip), clientKey),
  };
}

type AuthenticatedBy = Authenticated extends WeakMap<object, infer V> ? V : never;

/** The authenticated datagrams, and whether there ever was one (a WeakMap cannot say whether it is empty). */
class SignersSeen extends WeakMap<object, AuthenticatedBy> implements Authenticated {
  any = false;

  override set(key: object, value: AuthenticatedBy): this {
    this.any = true;
    return super.set(key, value);
  }
}
