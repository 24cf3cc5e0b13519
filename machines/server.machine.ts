// The root supervisor: opens the store, rehydrates the leases, serves, and restarts a failed child with backoff
// until the restart intensity is exceeded, then escalates (the process exits non-zero and systemd restarts it).
// The restart counts and the backoff live in the context; the restart policy that fills them is injected
// (`noteFailure`), so src/ only wires effects.
import { assign, fromObservable, fromPromise, setup } from 'xstate';

export type ServerEvent = { readonly type: 'server.stop' } | { readonly type: 'server.reload' };

export interface ServerContext {
  /** Restart times per child kind, inside the strategy's window. */
  readonly restarts: Readonly<Record<string, readonly number[]>>;
  readonly lastError?: unknown;
  readonly failedChild?: string;
  /** The policy's verdict on the last failure: give up (escalate) rather than restart. */
  readonly escalated: boolean;
  /** How long to wait before the restart of the last failed child. */
  readonly backoffMs: number;
  /** A reload was asked for while one ran or while not serving: one more runs as soon as serving allows. */
  readonly reloadPending: boolean;
}

export const serverMachine = setup({
  types: {
    context: {} as ServerContext,
    events: {} as ServerEvent,
  },
  actors: {
    // All provided by src/app.ts.
    openStore: fromPromise<void>(async () => {}),
    // Stops reading when `signal` aborts (the machine left `rehydrating`).
    rehydrate: fromPromise<{ leases: number }>(async () => ({ leases: 0 })),
    // A stream that never emits (xstate needs only something subscribable; no rxjs in the definition).
    serve: fromObservable<never, void>(() => ({ subscribe: () => ({ unsubscribe: () => {} }) })),
    quiesce: fromPromise<void>(async () => {}),
    // Loads, validates, diffs and applies the config (src/reload); never rejects: a bad file is a report.
    reload: fromPromise<void>(async () => {}),
    drain: fromPromise<void>(async () => {}),
  },
  actions: {
    // Provided by src/: counts the restart against the child's strategy; sets `restarts`, `escalated`, `backoffMs`.
    noteFailure: assign((_, params: { child: string; error: unknown }) => ({
      failedChild: params.child,
      lastError: params.error,
    })),
    report: (_, _params: { evt: string; child?: string; error?: unknown; delayMs?: number }) => {},
  },
  guards: {
    escalated: ({ context }) => context.escalated,
    reloadPending: ({ context }) => context.reloadPending,
    storeFailed: ({ context }) => context.failedChild === 'store',
  },
  delays: {
    restartBackoff: ({ context }) => context.backoffMs,
  },
}).createMachine({
  id: 'server',
  initial: 'openingStore',
  context: { restarts: {}, escalated: false, backoffMs: 0, reloadPending: false },
  // A reload asked for in any state is remembered; `serving.running` runs it (the reload lock is `reloading`).
  on: { 'server.reload': { actions: assign({ reloadPending: true }) } },
  states: {
    // A stop during start-up (10^6 leases take seconds to rehydrate) is honoured at once: systemd's stop must not
    // wait for, or be lost behind, a load whose result is no longer wanted. Drain closes the store under it.
    openingStore: {
      on: { 'server.stop': 'draining' },
      invoke: {
        src: 'openStore',
        onDone: 'rehydrating',
        onError: {
          target: 'failing',
          actions: { type: 'noteFailure', params: ({ event }) => ({ child: 'store', error: event.error }) },
        },
      },
    },
    rehydrating: {
      on: { 'server.stop': 'draining' },
      invoke: {
        src: 'rehydrate',
        onDone: 'serving',
        onError: {
          target: 'failed',
          actions: { type: 'noteFailure', params: ({ event }) => ({ child: 'rehydrate', error: event.error }) },
        },
      },
    },
    serving: {
      invoke: {
        id: 'ingress',
        src: 'serve',
        onError: {
          target: 'failing',
          actions: { type: 'noteFailure', params: ({ event }) => ({ child: 'ingress', error: event.error }) },
        },
      },
      initial: 'running',
      states: {
        running: {
          always: { guard: 'reloadPending', target: 'reloading' },
          on: { 'server.stop': 'quiescing', 'server.reload': 'reloading' },
        },
        // Packets keep flowing; the new config is swapped in at once, between two of them.
        reloading: {
          entry: assign({ reloadPending: false }),
          invoke: { src: 'reload', onDone: 'running', onError: 'running' },
          on: { 'server.stop': 'quiescing' },
        },
        // Still receiving (so in-flight exchanges can send their ACKs), but taking no new ones.
        quiescing: { invoke: { src: 'quiesce', onDone: '#server.draining', onError: '#server.draining' } },
      },
    },
    // The policy's verdict on the failure just noted: give up, or restart after the backoff.
    failing: {
      always: [{ guard: 'escalated', target: 'failed' }, { target: 'recovering' }],
    },
    recovering: {
      entry: {
        type: 'report',
        params: ({ context }) => ({ evt: 'supervisor.restarting', child: context.failedChild, error: context.lastError, delayMs: context.backoffMs }),
      },
      after: {
        restartBackoff: [{ guard: 'storeFailed', target: 'openingStore' }, { target: 'serving' }],
      },
      on: { 'server.stop': 'draining' },
    },
    draining: {
      invoke: { src: 'drain', onDone: 'stopped', onError: 'stopped' },
    },
    stopped: { type: 'final' },
    failed: {
      type: 'final',
      entry: { type: 'report', params: ({ context }) => ({ evt: 'supervisor.escalated', child: context.failedChild, error: context.lastError }) },
    },
  },
});

export type ServerMachine = typeof serverMachine;
