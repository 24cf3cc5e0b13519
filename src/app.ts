// Wires the daemon together: transport → ingress → router → transaction actors → lease book → store → egress,
// all under the root supervisor machine. The only module that knows every implementation.
import { defer, from, ignoreElements, switchMap, finalize, tap } from './rx.js';
import { PassiveTransaction, type TransactionEffects } from './actors/passive-transaction.js';
import { AggregatedLog } from './aggregated-log.js';
import type { Cursor } from './allocator/allocator.js';
import { systemClock } from './clock.js';
import type { ServerConfig } from './config/types.js';
import { classify, DhcpdError } from './errors.js';
import { LeaseBook } from './leases/lease-book.js';
import { TransitionFanout } from './leases/transition-fanout.js';
import { ConfigHolder } from './reload/holder.js';
import { noConfigFile } from './reload/load.js';
import { reloadOnce } from './reload/flow.js';
import { ReloadQueue } from './reload/queue.js';
import { decodeInbound } from './net/ingress.js';
import type { ReceiveLoad, Transport } from './net/types.js';
import { clientKeyOf } from './router/client-key.js';
import { Router } from './router/router.js';
import { checkConflict } from './server/conflict-check/check.js';
import { ProbeGate } from './server/conflict-check/probes.js';
import { DeclineLimiter } from './server/decline-limiter.js';
import { ProbingOffers } from './server/probing-offers.js';
import { UnreservedOffers } from './server/unreserved-offers.js';
import type { ServerDeps } from './server/deps.js';
import { decide } from './server/decide.js';
import { decisionDeps } from './server/decision-deps.js';
import { adminRelease } from './server/admin-release.js';
import { applyConfigToLeases } from './server/reload-apply.js';
import { onLeaseTimer } from './server/lease-timers.js';
import type { Decision } from './server/decision.js';
import type { RoutedRequest } from '../machines/transaction.types.js';
import { createReplySender } from './server/send-reply.js';
import { cachedLocalAddresses, serverIdResolver } from './server/server-identity.js';
import { FreeAddresses } from './server/free-addresses.js';
import { DEFAULT_CACHE_LIMITS, ResponseCache } from './server/response-cache.js';
import { Stats } from './server/stats.js';
import { routerDropReporter, waitingEvictionReporter } from './server/shedding.js';
import { Security } from './security/pipeline.js';
import type { RogueDetector } from './security/rogue-detector.js';
import { MessageType } from './codec/types.js';
import { isTunable } from './store/tunable.js';
import { AdaptiveTuner } from './tuning/adaptive-tuner.js';
import { tuningPolicy } from './tuning/policy.js';
import { causeOf } from './server/transition-cause.js';
import { PoolUtilizationCounter } from './server/utilization.js';
import { healthOf, stateName, type Health } from './supervisor/health.js';
import { createRoot } from './supervisor/root.js';
import { startScaleOut } from './scaleout/scale-out.js';
import { startRogue } from './app/rogue.js';
import { storeChain } from './app/store-chain.js';
import { rehydrateBook } from './app/rehydrate.js';
import type { App, AppOptions } from './app/types.js';

export type { Health };
export type { App, AppOptions, Statistics } from './app/types.js';

export function startApp(options: AppOptions): App {
  const { log } = options;
  const clock = options.clock ?? systemClock;
  const stats = new Stats();
  const notices = new AggregatedLog({ clock, log });
  const holder = new ConfigHolder(options.config);
  const config = holder.read;
  const transitions = new TransitionFanout((err: unknown) =>
    log.error({ evt: 'lease.transition.listener_failed', err: classify(err) }, 'a lease transition listener threw'));
  const { history, store } = storeChain(options.store, { config, transitions, clock, log, stats });
  const localAddresses = options.localAddresses ?? cachedLocalAddresses();
  const book = new LeaseBook({ clock, onTimerChange: (change) => onLeaseTimer(deps, change), onTransition: transitions.emit });
  const utilization = new PoolUtilizationCounter(book, config);
  const cursors = new Map<number, Cursor>();
  const scaleOut = startScaleOut(config(), options.store, book, cursors, log);
  const deps: ServerDeps = {
    config, book, store, clock, log, stats, notices,
    declines: new DeclineLimiter(() => ({ max: config().maxDeclinesPerClient, windowMs: config().declineProbationMs })),
    cursors,
    freeAddresses: new FreeAddresses(book),
    probingOffers: new ProbingOffers(clock),
    unreservedOffers: new UnreservedOffers(),
    serverIdFor: serverIdResolver(config, localAddresses),
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
    ...(options.heap === undefined ? {} : { heap: options.heap }),
    ...(options.background === undefined ? {} : { background: options.background }),
    ...(options.heap === undefined && options.background === undefined ? {} : { receiveLoad: () => receiveLoadOf(transport) }),
  });
  tuner.start();
  book.onTakenChange((record) => responseCache.forget(record.context.clientKey));
  holder.subscribe(() => responseCache.clear());
  // Made once per config, not per reply.
  let ports = portsOf(options.config);
  holder.subscribe((next) => (ports = portsOf(next)));
  const replies = createReplySender({
    transport: () => transport,
    ports: () => ports,
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
      decide(decisionDeps(deps, pinned, book.withCause(causeOf(input.packet))), input.packet),
    checkConflict: (input) => checkConflict(deps, probes, input),
    sendReply: (decision: Decision, packet: RoutedRequest) => {
      if (decision.kind === 'reply' && decision.type === MessageType.ACK && decision.ip !== undefined) security.granted(packet, decision.ip);
      else security.notGranted(packet);
      options.onDecision?.(decision, packet);
      replies.send(decision, packet);
    },
    clock,
  };
  const router = new Router({
    createTransaction: (clientKey, waiting) => new PassiveTransaction(clientKey, effects, waiting),
    now: () => clock.now(),
    onWaitingEvicted: waitingEvictionReporter({ stats, notices }),
    // Getters: the limits in force, after any reload.
    get maxQueuePerClient() { return config().limits.maxQueuePerClient; },
    get maxClients() { return config().limits.maxClients; },
    get maxQueued() { return config().limits.maxQueued; },
    onDrop: routerDropReporter({ stats, notices, log }),
  });

  let resolveReady!: () => void;
  let rejectReady!: (error: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => ((resolveReady = resolve), (rejectReady = reject)));
  const ingress$ = defer(() => from(options.openTransport())).pipe(
    tap((opened) => {
      transport = opened;
      log.info({ evt: 'server.ready', transport: opened.kind, leases: book.size }, 'serving');
      resolveReady();
      if (rogue === undefined && config().security.rogueDetection.enabled) {
        startRogue({ config, ours: localAddresses, clock, log, security }, (detector) => (rogue = detector));
      }
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
    rehydrate: (signal) => rehydrateBook({ book, log, stats }, { snapshots: options.store, store }, signal),
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
    state: () => stateName(root.getSnapshot().value),
    statistics: () => ({
      counters: stats.snapshot(),
      pools: utilization.current(),
      leases: book.size,
      activeClients: router.activeClients,
      queuedRequests: router.queuedRequests,
      responseCache: responseCache.stats(),
      tuning: tuner.snapshot(),
      history: history.pendingStats(),
      ...(transport !== undefined ? { transport: { kind: transport.kind, counters: transport.stats?.() } } : {}),
      security: security.counters.snapshot(),
    }),
    securityEvents: (limit) => security.events.recent(limit),
    onLeaseTransition: (listener) => transitions.subscribe(listener),
    history,
    transactionStates: () => router.transactionStates(),
    lease: (ip) => book.get(ip),
    isTaken: (ip) => book.isTaken(ip),
    leases: () => book.values(),
    forEachLease: (fn) => book.forEachLease(fn),
    release: (ip, by) => adminRelease(deps, ip, by),
    noteLogDropped: () => stats.count(stats.events, 'log.dropped'),
    health: () => healthOf(root.getSnapshot(), store.health(), { active: router.activeClients, queued: router.queuedRequests }),
    config,
    reload: (trigger) => reloads.ask(trigger),
    stop: async () => {
      root.send({ type: 'server.stop' });
      return done;
    },
  };
}

/** Before the transport opens (or one that cannot tell): nothing read, nothing lost. */
function receiveLoadOf(transport: Transport | undefined): ReceiveLoad {
  return transport?.receiveLoad?.() ?? NO_LOAD;
}

const NO_LOAD: ReceiveLoad = { received: 0, lost: 0 };

function portsOf(config: ServerConfig): { readonly server: number; readonly client: number } {
  return { server: config.listen.port, client: config.listen.clientPort };
}
