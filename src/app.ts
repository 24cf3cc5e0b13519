// Wires the daemon together: transport → ingress → router → transaction actors → lease book → store → egress,
// all under the root supervisor machine. The only module that knows every implementation.
import { defer, from, ignoreElements, switchMap, finalize, tap } from 'rxjs';
import { assign, createActor, fromObservable, fromPromise } from 'xstate';
import { PassiveTransaction } from './actors/passive-transaction.js';
import { serverMachine } from '../machines/server.machine.js';
import { systemClock, type Clock } from './clock.js';
import type { ServerConfig } from './config/types.js';
import { classify, DhcpdError } from './errors.js';
import { LeaseBook, type LeaseChange } from './leases/lease-book.js';
import type { Logger } from './log.js';
import { decodeInbound } from './net/ingress.js';
import type { Transport } from './net/types.js';
import { clientKeyOf } from './router/client-key.js';
import { Router } from './router/router.js';
import { DeclineLimiter } from './server/decline-limiter.js';
import type { ServerDeps } from './server/deps.js';
import { decide } from './server/dispatch.js';
import type { Decision } from './server/decision.js';
import type { RoutedRequest } from './router/types.js';
import { createResponder } from './server/respond.js';
import { localIpv4Addresses, serverIdResolver } from './server/server-identity.js';
import { Stats } from './server/stats.js';
import type { LeaseStore, StoreHealth } from './store/types.js';
import { poolUtilization, type PoolUtilization } from './server/utilization.js';
import { backoffDelay, DEFAULT_STRATEGIES, recordRestart, type RestartStrategy } from './supervisor/strategy.js';

export interface AppOptions {
  readonly config: ServerConfig;
  readonly log: Logger;
  readonly store: LeaseStore;
  /** Opened when serving starts and again after each restart of the ingress. */
  readonly openTransport: () => Promise<Transport>;
  readonly clock?: Clock;
  readonly strategies?: Readonly<Record<string, RestartStrategy>>;
  readonly localAddresses?: () => readonly string[];
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
}

export interface Statistics {
  readonly counters: ReturnType<Stats['snapshot']>;
  readonly pools: PoolUtilization[];
  readonly leases: number;
  readonly activeClients: number;
}

export interface Health {
  readonly state: string;
  readonly serving: boolean;
  readonly store: StoreHealth;
  readonly restarts: Readonly<Record<string, number>>;
  readonly failedChild?: string;
}

export function startApp(options: AppOptions): App {
  const { log, store } = options;
  const clock = options.clock ?? systemClock;
  const strategies = { ...DEFAULT_STRATEGIES, ...options.strategies };
  const stats = new Stats();
  const config = (): ServerConfig => options.config;
  const book = new LeaseBook({ clock, onTimerChange: (change) => onTimerChange(change) });
  const deps: ServerDeps = {
    config, book, store, clock, log, stats,
    declines: new DeclineLimiter(() => ({ max: config().maxDeclinesPerClient, windowMs: config().declineProbationMs })),
    cursors: new Map(),
    serverIdFor: serverIdResolver(config, options.localAddresses ?? cachedLocalAddresses()),
  };
  let transport: Transport | undefined;
  const responder = createResponder({
    transport: () => transport,
    ports: () => ({ server: config().listen.port, client: config().listen.clientPort }),
    clock, log, stats,
  });
  const effects = {
    decide: (input: { packet: RoutedRequest }) => decide(deps, input.packet),
    respond: (decision: Decision, packet: RoutedRequest) => responder.respond(decision, packet),
    clock,
  };
  const router = new Router({
    createTransaction: (clientKey) => new PassiveTransaction(clientKey, effects),
    maxQueuePerClient: 4,
    maxClients: 100_000,
    onDrop: (reason, routed, error) => {
      stats.count(stats.drops, reason);
      if (reason === 'transaction-failed') {
        const err = classify(error);
        stats.error(err.category);
        log.error({ evt: 'txn.failed', err, client: routed.clientKey, xid: routed.request.xid }, 'transaction failed');
      }
    },
  });

  function onTimerChange(change: LeaseChange): void {
    const { state, context } = change.after;
    if (state === 'expired') log.info({ evt: 'lease.expired', ip: context.ip, client: context.clientKey }, 'lease expired');
    if (state === 'reclaimed') log.debug({ evt: 'lease.reclaimed', ip: context.ip, was: change.before?.state });
    if (change.before?.state === 'offered') return; // offers were never stored
    // Timer transitions follow from stored times, so their writes need not hold anything up.
    Promise.resolve(change.after).then((record) => store.write([{ kind: 'put', record }])).catch((error: unknown) => {
      log.warn({ evt: 'store.write_failed', err: classify(error), ip: context.ip }, 'timer transition not stored');
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
    }),
    switchMap((opened) =>
      decodeInbound(opened.inbound$, (error, inbound) => {
        stats.count(stats.drops, error.code);
        stats.error(error.category);
        log.debug({ evt: 'codec.rejected', err: error, from: inbound.from.address });
      }).pipe(finalize(() => void opened.close())),
    ),
    tap((decoded) => {
      const clientKey = clientKeyOf(decoded.request);
      stats.receivedMessage(decoded.request.type);
      router.route({ ...decoded, clientKey });
    }),
    ignoreElements(),
  );

  const root = createActor(
    serverMachine.provide({
      actors: {
        openStore: fromPromise(() => store.open()),
        rehydrate: fromPromise(async () => {
          let leases = 0;
          for await (const record of store.loadAll()) {
            book.restore(record);
            leases++;
          }
          log.info({ evt: 'leases.rehydrated', leases }, 'leases restored from the store');
          return { leases };
        }),
        serve: fromObservable(() => ingress$),
        quiesce: fromPromise(() => router.quiesce(2_000, (ms) => new Promise((r) => setTimeout(r, ms)))),
        drain: fromPromise(async () => {
          router.stop();
          book.stop();
          await store.close();
        }),
      },
      actions: {
        noteFailure: assign(({ context }, params: { child: string; error: unknown }) => {
          const strategy = strategies[params.child as keyof typeof strategies] ?? strategies.ingress;
          const { history, escalate } = recordRestart(strategy, context.restarts[params.child] ?? [], clock.now());
          return { failedChild: params.child, lastError: params.error, escalated: escalate, restarts: { ...context.restarts, [params.child]: history } };
        }),
        report: (_, params: { evt: string; child?: string; error?: unknown }) => {
          const err = params.error === undefined ? undefined : classify(params.error);
          if (err !== undefined) stats.error(err.category);
          log.error({ evt: params.evt, child: params.child, err }, params.evt);
        },
      },
      delays: {
        restartBackoff: ({ context }) => {
          const strategy = strategies[context.failedChild as keyof typeof strategies] ?? strategies.ingress;
          return backoffDelay(strategy.backoff, context.restarts[context.failedChild ?? '']?.length ?? 1);
        },
      },
    }),
    { clock: clockAdapter(clock) },
  );

  const done = new Promise<number>((resolve) => {
    root.subscribe({
      next: (snapshot) => {
        if (snapshot.status !== 'done') return;
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
    }),
    health: () => {
      const snapshot = root.getSnapshot();
      return {
        state: stateName(snapshot.value),
        serving: snapshot.matches({ serving: 'running' }),
        store: store.health(),
        restarts: Object.fromEntries(Object.entries(snapshot.context.restarts).map(([k, v]) => [k, v.length])),
        ...(snapshot.context.failedChild !== undefined ? { failedChild: snapshot.context.failedChild } : {}),
      };
    },
    stop: async () => {
      root.send({ type: 'server.stop' });
      return done;
    },
  };
}

/** "serving.running" for nested states. */
function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  return Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}.${stateName(v)}`).join(',');
}

/** XState's clock interface over ours, so the supervisor's backoff runs on simulated time in tests. */
function clockAdapter(clock: Clock) {
  return {
    setTimeout: (fn: (...args: unknown[]) => void, ms: number) => clock.setTimer(ms, fn),
    clearTimeout: (handle: unknown) => (handle as { cancel(): void }).cancel(),
  };
}

function cachedLocalAddresses(): () => readonly string[] {
  let cache: { at: number; list: string[] } | undefined;
  return () => {
    if (cache === undefined || Date.now() - cache.at > 5_000) cache = { at: Date.now(), list: localIpv4Addresses() };
    return cache.list;
  };
}
