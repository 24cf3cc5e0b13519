// The daemon's public face: what startApp is given (AppOptions) and what it returns (App, Statistics).
import type { Clock } from '../clock.js';
import type { ChildKind, RestartStrategy } from '../config/supervision-policy.js';
import type { ReloadReport, ReloadTrigger } from '../config/reload-report.js';
import type { ServerConfig } from '../config/types.js';
import type { LeaseSummaryFn } from '../lease-columns/packed-leases.js';
import type { TransitionListener } from '../leases/transition.js';
import type { Logger } from '../log.js';
import type { ConfigLoader } from '../reload/load.js';
import type { EchoProber } from '../net/icmp-prober.js';
import type { Transport } from '../net/types.js';
import type { AdminReleaseOutcome } from '../server/admin-release.js';
import type { Decision } from '../server/decision.js';
import type { RoutedRequest } from '../../machines/transaction.types.js';
import type { ResponseCacheStats } from '../server/response-cache.js';
import type { Stats } from '../server/stats.js';
import type { PoolUtilization } from '../server/utilization.js';
import type { SecurityEvent } from '../security/events.js';
import type { LeaseHistoryStore, LeaseRecord, LeaseStore } from '../store/types.js';
import type { Health } from '../supervisor/health.js';
import type { TuningSnapshot } from '../tuning/adaptive-tuner.js';
import type { PendingHistoryStats } from '../store/history-recorder.js';
import type { BackgroundThreads } from '../tuning/background-threads.js';
import type { HeapGrowth } from '../tuning/v8-heap.js';

export interface AppOptions {
  readonly config: ServerConfig;
  readonly log: Logger;
  readonly store: LeaseStore;
  /** Opened when serving starts and again after each restart of the ingress. */
  readonly openTransport: () => Promise<Transport>;
  readonly clock?: Clock;
  /** Overrides the config's supervision strategies (tests). */
  readonly strategies?: Partial<Record<ChildKind, RestartStrategy>>;
  readonly localAddresses?: () => readonly string[];
  /** Where `reload()` reads the new config (the CLI: the file the daemon started with). */
  readonly loadConfig?: ConfigLoader;
  /**
   * Every decision, as it is handed to egress (replay prints them). A throw here fails that client's exchange only
   * (dropped as transaction-failed, as a handler bug would): tests use it as their fault-injection seam.
   */
  readonly onDecision?: (decision: Decision, packet: RoutedRequest) => void;
  /** Opens the ICMP prober of the conflict check at its first use; absent: the check is unavailable (logged once). */
  readonly openProber?: () => EchoProber;
  /** V8's old generation growth, for adaptive tuning to raise under overload (src/tuning/v8-heap.ts); absent: untouched. */
  readonly heap?: HeapGrowth;
  /** The storage engine's threads, for adaptive tuning to nice when calm (src/tuning/background-threads.ts); absent:
   * untouched (tests: the threads would be the test runner's). */
  readonly background?: BackgroundThreads;
}

export interface App {
  /** Resolves once the daemon serves; rejects if it fails before; stays pending if stopped before (see `done`). */
  readonly ready: Promise<void>;
  /** Resolves with the exit code when the daemon stopped (0) or escalated a failure (1). */
  readonly done: Promise<number>;
  stop(): Promise<number>;
  state(): string;
  /** Counters, per-pool utilization and sizes, for the control plane. */
  statistics(): Statistics;
  /** The supervisor tree and the store, for health checks. */
  health(): Health;
  /** The config in force (a reload swaps it). */
  config(): ServerConfig;
  /** Reloads the config (SIGHUP, the control API, the CLI): coalesced, validated, applied atomically or refused. */
  reload(trigger: ReloadTrigger): Promise<ReloadReport>;
  /** The most recent security events, newest first (docs/security.md). */
  securityEvents(limit?: number): readonly SecurityEvent[];
  /** Every lease transition from now on; returns the unsubscribe function. */
  onLeaseTransition(listener: TransitionListener): () => void;
  /** Each address's transitions: stored, and those waiting for the lease's next write. */
  readonly history: LeaseHistoryStore;
  /** Client exchanges in flight per transaction machine state. */
  transactionStates(): Record<string, number>;
  /** The address's lease as of now (timers already due applied), or undefined when it has none. */
  lease(ip: string): LeaseRecord | undefined;
  /** Whether the address is held: offered, bound, renewing, rebinding, expired in grace, or declined. */
  isTaken(ip: string): boolean;
  /** Every lease the daemon holds, as stored in its lease book (for listings, metrics and the /ui page). */
  leases(): Iterable<LeaseRecord>;
  /** Address (uint32), subnet and stored state of every lease, without building records: for counts. */
  forEachLease(fn: LeaseSummaryFn): void;
  /** An operator's release (control API, CLI): the same lease event and durable write as a client's DHCPRELEASE. */
  release(ip: string, by: string): Promise<AdminReleaseOutcome>;
  /** Counts a log line the logger had to drop (its buffer was full): the event counter `log.dropped`. */
  noteLogDropped(): void;
}

export interface Statistics {
  readonly counters: ReturnType<Stats['snapshot']>;
  readonly pools: PoolUtilization[];
  readonly leases: number;
  readonly activeClients: number;
  readonly queuedRequests: number;
  /** Replies to retransmissions served from the response cache. */
  readonly responseCache?: ResponseCacheStats;
  /** The commit window, batch limit and cache size adaptive tuning chose. */
  readonly tuning?: TuningSnapshot;
  /** Lease transitions waiting for their address's next write (offers nobody REQUESTed), and those the bound dropped. */
  readonly history?: PendingHistoryStats;
  readonly transport?: { readonly kind: string; readonly counters?: object };
  /** Security rejections (and rogue servers heard) per stage and reason. */
  readonly security: Record<string, Record<string, number>>;
}
