// The root supervisor as run by the daemon: the server machine with its children provided, restart decisions
// taken from the configured strategies, and every failure logged with its evt and counted by category.
import type { Observable } from 'rxjs';
import { assign, createActor, fromObservable, fromPromise } from 'xstate';
import { serverMachine } from '../../machines/server.machine.js';
import type { Clock } from '../clock.js';
import { classify, type ErrorCategory } from '../errors.js';
import type { Logger } from '../log.js';
import type { ChildKind, RestartStrategy } from '../config/supervision-policy.js';
import { onChildFailure } from './strategy.js';

export interface RootChildren {
  readonly openStore: () => Promise<void>;
  /** Stops early (resolving with what it read) once `signal` aborts: the daemon is stopping during start-up. */
  readonly rehydrate: (signal: AbortSignal) => Promise<{ leases: number }>;
  readonly serve: () => Observable<never>;
  readonly quiesce: () => Promise<void>;
  readonly drain: () => Promise<void>;
  /** Runs the reloads waiting (src/reload/queue.ts) while the machine holds the reload lock. */
  readonly reload: () => Promise<void>;
}

export interface RootDeps {
  readonly strategies: () => Readonly<Record<ChildKind, RestartStrategy>>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly counters: SupervisorCounters;
}

/** What the supervisor counts: each failure by its error category, and each of its own events. */
export interface SupervisorCounters {
  error(category: ErrorCategory): void;
  event(evt: string): void;
  /** A child is being restarted (cumulative restarts by child, for metrics). */
  restart?(child: string): void;
}

export function createRoot(children: RootChildren, deps: RootDeps) {
  const { clock, log, counters } = deps;
  const strategyOf = (child: string | undefined): RestartStrategy => {
    const strategies = deps.strategies();
    return child === 'store' ? strategies.store : strategies.ingress;
  };
  const machine = serverMachine.provide({
    actors: {
      openStore: fromPromise(() => children.openStore()),
      rehydrate: fromPromise(({ signal }) => children.rehydrate(signal)),
      serve: fromObservable(() => children.serve()),
      quiesce: fromPromise(() => children.quiesce()),
      drain: fromPromise(() => children.drain()),
      reload: fromPromise(() => children.reload()),
    },
    actions: {
      noteFailure: assign(({ context }, params: { child: string; error: unknown }) => {
        const transient = classify(params.error).transient;
        const decision = onChildFailure(strategyOf(params.child), context.restarts[params.child] ?? [], clock.now(), transient);
        return {
          failedChild: params.child, lastError: params.error, escalated: decision.escalate, backoffMs: decision.delayMs,
          restarts: { ...context.restarts, [params.child]: decision.history },
        };
      }),
      report: (_, params: { evt: string; child?: string; error?: unknown; delayMs?: number }) => {
        const err = params.error === undefined ? undefined : classify(params.error);
        if (err !== undefined) counters.error(err.category);
        counters.event(params.evt);
        if (params.evt === 'supervisor.restarting' && params.child !== undefined) counters.restart?.(params.child);
        const repair = err?.details['repair'];
        const fields = { evt: params.evt, child: params.child, err, ...(repair === undefined ? {} : { repair }) };
        if (params.evt === 'supervisor.escalated') log.fatal(fields, `${params.child ?? 'a child'} failed: exiting`);
        else log.error({ ...fields, delayMs: params.delayMs }, `${params.child ?? 'a child'} failed: restarting`);
      },
    },
  });
  return createActor(machine, { clock: clockAdapter(clock) });
}

export type RootActor = ReturnType<typeof createRoot>;

/** XState's clock interface over ours, so the supervisor's backoff runs on simulated time in tests. */
export function clockAdapter(clock: Clock) {
  return {
    setTimeout: (fn: (...args: unknown[]) => void, ms: number) => clock.setTimer(ms, fn),
    clearTimeout: (handle: unknown) => (handle as { cancel(): void }).cancel(),
  };
}
