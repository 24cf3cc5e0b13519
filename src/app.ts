// Wires the daemon together: transport → ingress → router → transaction actors → lease book → store → egress,
// all under the root supervisor machine. The only module that knows every implementation.
import { defer, from, ignoreElements, switchMap, finalize, tap } from 'rxjs';
import { PassiveTransaction, type TransactionEffects } from './actors/passive-transaction.js';
import { TransactionCensus } from './actors/transaction-census.js';
import { AggregatedLog } from './aggregated-log.js';
import type { Cursor } from './allocator/allocator.js';
import { systemClock, type Clock } from './clock.js';
import type { ReloadReport, ReloadTrigger } from './config/reload-report.js';
import type { ServerConfig } from './config/types.js';
import { classify, DhcpdError } from './errors.js';
import { LeaseBook } from './leases/lease-book.js';
import { TransitionFanout } from './leases/transition-fanout.js';
import type { TransitionListener } from './leases/transition.js';
import type { Logger } from './log.js';
import { ConfigHolder } from './reload/holder.js';
import { noConfigFile, type ConfigLoader } from './reload/load.js';
import { reloadOnce } from './reload/flow.js';
import { ReloadQueue } from './reload/queue.js';
import { decodeInbound } from './net/ingress.js';
import type { EchoProber } from './net/icmp-prober.js';
import type { Transport } from './net/types.js';
import { clientKeyOf } from './router/client-key.js';
import { Router } from './router/router.js';
import { checkConflict } from './server/conflict-check/check.js';
import { ProbeGate } from './server/conflict-check/probes.js';
import { DeclineLimiter } from './server/decline-limiter.js';
import type { ServerDeps } from './server/deps.js';
import { decide } from './server/decide.js';
import { applyConfigToLeases } from './server/reload-apply.js';
import { onLeaseTimer } from './server/lease-timers.js';
import type { Decision } from './server/decision.js';
import type { RoutedRequest } from '../machines/transaction.types.js';
import { createReplySender } from './server/send-reply.js';
import { localIpv4Addresses, serverIdResolver } from './server/server-identity.js';
import { FreeAddresses } from './server/free-addresses.js';
import { DEFAULT_CACHE_LIMITS, ResponseCache, type ResponseCacheStats } from './server/response-cache.js';
import { Stats } from './server/stats.js';
import { SHED_REASONS, sheddingReporter } from './server/shedding.js';
import type { SecurityEvent } from './security/events.js';
import { Security } from './security/pipeline.js';
import { startRogueDetector, type RogueDetector } from './security/rogue-detector.js';
import { MessageType } from './codec/types.js';
import { HistoryRecorder } from './store/history-recorder.js';
import { isTunable } from './store/tunable.js';
import { AdaptiveTuner, type TuningSnapshot } from './tuning/adaptive-tuner.js';
import { tuningPolicy } from './tuning/policy.js';
import type { LeaseHistoryStore, LeaseStore } from './store/types.js';
import { causeOf } from './server/transition-cause.js';
import { poolUtilization, type PoolUtilization } from './server/utilization.js';
import { healthOf, stateName, type Health } from './supervisor/health.js';
import { createRoot } from './supervisor/root.js';
import { MonitoredStore } from './supervisor/store-monitor.js';
import { startScaleOut } from './scaleout/scale-out.js';
import type { ChildKind, RestartStrategy } from './config/supervision-policy.js';

export type { Health };

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
  /** Every decision, as it is handed to egress (replay prints them). */
  readonly onDecision?: (decision: Decision, packet: RoutedRequest) => void;
  /** Opens the ICMP prober of the conflict check at its first use; absent: the check is unavailable (logged once). */
  readonly openProber?: () => EchoProber;
}

export interface App {
  /** Resolves once the daemon serves; rejects if it fails before. */
  readonly ready: Promise<void>;
  /** Resolves with the exit code when the daemon stopped (0) or escalated a failure (1). */
  readonly done: Promise<number>;
  readonly deps: ServerDeps;
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
  readonly transport?: { readonly kind: string; readonly counters?: object };
  /** Security rejections (and rogue servers heard) per stage and reason. */
  readonly security: Record<string, Record<string, number>>;
}

export function startApp(options: AppOptions): App {
  const { log } = options;
  const clock = options.clock ?? systemClock;
  const stats = new Stats();
  const notices = new AggregatedLog({ clock, log });
  const holder = new ConfigHolder(options.config);
  const config = holder.read;
  const transitions = new TransitionFanout((err: unknown) =>
    log.error({ evt: 'lease.transition.listener_failed', err: classify(err) }, 'a lease transition listener threw'));
  const history = new HistoryRecorder(options.store, () => config().history.perLease);
  transitions.subscribe((t) => history.record(t));
  const store = new MonitoredStore(history, clock, {
    onUnwritable: (err) => {
      stats.error(err.category);
      stats.count(stats.events, 'store.unwritable');
      log.error({ evt: 'store.unwritable', err }, 'lease store not writable: no new leases are granted');
    },
    onWritable: (downMs, failedWrites) => {
      stats.count(stats.events, 'store.writable');
      log.warn({ evt: 'store.writable', downMs, failedWrites }, 'lease store writable again: granting leases');
    },
  });
  const book = new LeaseBook({ clock, onTimerChange: (change) => onLeaseTimer(deps, change), onTransition: transitions.emit });
  const cursors = new Map<number, Cursor>();
  const scaleOut = startScaleOut(config(), options.store, book, cursors, log);
  const deps: ServerDeps = {
    config, book, store, clock, log, stats, notices,
    declines: new DeclineLimiter(() => ({ max: config().maxDeclinesPerClient, windowMs: config().declineProbationMs })),
    cursors,
    freeAddresses: new FreeAddresses(book),
    serverIdFor: serverIdResolver(config, options.localAddresses ?? cachedLocalAddresses()),
    ...(scaleOut.answersDiscover === undefined ? {} : { answersDiscover: scaleOut.answersDiscover }),
  };
  // What a decision reads as its config: fixed for the config in force when it began (see effects.decide).
  let pinned = (): ServerConfig => options.config;
  holder.subscribe((next, previous) => {
    pinned = () => next;
    applyConfigToLeases(deps, next);
    if (next.logging.level !== previous.logging.level) log.level = next.logging.level;
  });
  const security = new Security({
    config, clock, log, book, clientKeyOf: (d) => clientKeyOf(d.request), onReject: () => stats.error('security'),
  });
  let rogue: RogueDetector | undefined;
  let transport: Transport | undefined;
  const responseCache: ResponseCache = new ResponseCache(clock, () => tuner.cacheLimits());
  const tuner = new AdaptiveTuner(tuningPolicy(options.config), {
    clock, log: log.child({ component: 'tuning' }), cache: () => responseCache.stats(), cacheTtlMs: DEFAULT_CACHE_LIMITS.ttlMs,
    ...(isTunable(options.store) ? { commits: options.store } : {}),
  });
  tuner.start();
  book.onTakenChange((record) => responseCache.forget(record.context.clientKey));
  holder.subscribe(() => responseCache.clear());
  const replies = createReplySender({
    transport: () => transport,
    ports: () => ({ server: config().listen.port, client: config().listen.clientPort }),
    clock, log, stats, notices,
    sendRetry: () => config().supervision.sendRetry,
    cache: responseCache,
    signReply: (reply, routed) => security.signReply(reply, routed.inbound),
  });
  const probes = new ProbeGate({
    policy: () => config().conflictCheck, clock, log, stats, notices, ...(options.openProber ? { open: options.openProber } : {}),
  });
  const effects: TransactionEffects = {
    // Each decision reads one config from start to end, even across a reload while it awaits its write.
    decide: (input: { packet: RoutedRequest }) =>
      decide({ ...deps, config: pinned, book: book.withCause(causeOf(input.packet)) }, input.packet),
    checkConflict: (input) => checkConflict(deps, probes, input),
    sendReply: (decision: Decision, packet: RoutedRequest) => {
      if (decision.kind === 'reply' && decision.type === MessageType.ACK && decision.ip !== undefined) security.granted(packet, decision.ip);
      else security.notGranted(packet);
      options.onDecision?.(decision, packet);
      replies.send(decision, packet);
    },
    clock,
  };
  const shedding = sheddingReporter(notices);
  const census = new TransactionCensus();
  const router = new Router({
    createTransaction: (clientKey) => census.track(new PassiveTransaction(clientKey, effects)),
    // Getters: the limits in force, after any reload.
    get maxQueuePerClient() { return config().limits.maxQueuePerClient; },
    get maxClients() { return config().limits.maxClients; },
    get maxQueued() { return config().limits.maxQueued; },
    onDrop: (reason, routed, error) => {
      stats.count(stats.drops, reason);
      if (SHED_REASONS.has(reason)) shedding.note(reason);
      if (reason === 'transaction-failed') {
        const err = classify(error);
        stats.error(err.category);
        log.error({ evt: 'txn.failed', err, client: routed.clientKey, xid: routed.request.xid }, 'transaction failed');
      }
    },
  });

  function startRogue(): void {
    const ours = options.localAddresses ?? cachedLocalAddresses();
    startRogueDetector({
      port: config().listen.clientPort,
      intervalMs: () => config().security.rogueDetection.reportIntervalMs,
      isOurs: (address) => address === config().serverId || ours().includes(address),
      now: () => clock.now(),
      report: (event) => security.rogue(event),
      onError: (err) => log.warn({ evt: 'security.rogue_listener_failed', err: classify(err) }, 'rogue-server detection stopped'),
    }).then((detector) => (rogue = detector), (err: unknown) => {
      log.warn({ evt: 'security.rogue_listener_failed', err: classify(err) }, 'rogue-server detection not started');
    });
  }

  let resolveReady!: () => void;
  let rejectReady!: (error: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => ((resolveReady = resolve), (rejectReady = reject)));
  const ingress$ = defer(() => from(options.openTransport())).pipe(
    tap((opened) => {
      transport = opened;
      log.info({ evt: 'server.ready', transport: opened.kind, leases: book.size }, 'serving');
      resolveReady();
      if (rogue === undefined && config().security.rogueDetection.enabled) startRogue();
    }),
    switchMap((opened) =>
      decodeInbound(opened.inbound$, (error, inbound) => {
        stats.count(stats.drops, error.code);
        stats.error(error.category);
        log.debug({ evt: 'codec.rejected', err: error, from: inbound.from.address });
        security.codecRejected(error, inbound);
      }).pipe(finalize(() => void opened.close())),
    ),
    tap((decoded) => stats.receivedMessage(decoded.request.type)),
    security.operator(),
    tap((admitted) => {
      if (!replies.resend(admitted)) router.route(admitted);
    }),
    ignoreElements(),
  );

  const reloads = new ReloadQueue(
    (triggers) => reloadOnce({ load: options.loadConfig ?? noConfigFile, holder, log, stats }, triggers),
    () => root.send({ type: 'server.reload' }),
  );
  const root = createRoot({
    openStore: () => store.open(),
    rehydrate: async () => {
      let leases = 0;
      for await (const record of store.loadAll()) {
        book.restore(record);
        leases++;
      }
      log.info({ evt: 'leases.rehydrated', leases }, 'leases restored from the store');
      return { leases };
    },
    serve: () => ingress$,
    // In-flight exchanges finish (their commits land and their ACKs go out) before the store is closed.
    quiesce: () => router.quiesce(2_000, (ms) => new Promise((r) => setTimeout(r, ms))),
    drain: async () => {
      router.stop();
      scaleOut.stop();
      book.stop();
      tuner.stop();
      rogue?.close();
      notices.flush();
      security.flush();
      probes.close();
      await store.close();
    },
    reload: () => reloads.runWaiting(),
  }, {
    strategies: () => ({ ...config().supervision.strategies, ...options.strategies }), clock, log,
    counters: {
      error: (category) => stats.error(category),
      event: (evt) => stats.count(stats.events, evt),
      restart: (child) => stats.count(stats.restarts, child),
    },
  });

  const done = new Promise<number>((resolve) => {
    root.subscribe({
      next: (snapshot) => {
        if (snapshot.status !== 'done') return;
        reloads.cancel('the daemon stopped before the reload could run');
        const failed = snapshot.value === 'failed';
        if (failed) rejectReady(snapshot.context.lastError ?? new DhcpdError('DHCPD_ERR_SUPERVISOR_ESCALATED', 'failed'));
        resolve(failed ? 1 : 0);
      },
      // The root must always have an error observer: XState rethrows unobserved errors and kills the process.
      error: (error) => {
        log.fatal({ evt: 'supervisor.crashed', err: classify(error) }, 'root supervisor crashed');
        rejectReady(error);
        resolve(1);
      },
    });
  });
  ready.catch(() => {});
  root.start();

  return {
    ready,
    done,
    deps,
    state: () => stateName(root.getSnapshot().value),
    statistics: () => ({
      counters: stats.snapshot(),
      pools: poolUtilization(config(), book.values()),
      leases: book.size,
      activeClients: router.activeClients,
      queuedRequests: router.queuedRequests,
      responseCache: responseCache.stats(),
      tuning: tuner.snapshot(),
      ...(transport !== undefined ? { transport: { kind: transport.kind, counters: transport.stats?.() } } : {}),
      security: security.counters.snapshot(),
    }),
    securityEvents: (limit) => security.events.recent(limit),
    onLeaseTransition: (listener) => transitions.subscribe(listener),
    history,
    transactionStates: () => census.counts(),
    health: () => healthOf(root.getSnapshot(), store.health(), { active: router.activeClients, queued: router.queuedRequests }),
    config,
    reload: (trigger) => reloads.ask(trigger),
    stop: async () => {
      root.send({ type: 'server.stop' });
      return done;
    },
  };
}

function cachedLocalAddresses(): () => readonly string[] {
  let cache: { at: number; list: string[] } | undefined;
  return () => {
    if (cache === undefined || Date.now() - cache.at > 5_000) cache = { at: Date.now(), list: localIpv4Addresses() };
    return cache.list;
  };
}
