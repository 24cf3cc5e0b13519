// The root machine keeps its restart decisions in its context: the backoff it waits comes from `backoffMs`, and a
// failure the policy escalates goes to `failed` without announcing a restart first.
import { describe, expect, it } from 'vitest';
import { assign, createActor, fromPromise, SimulatedClock } from 'xstate';
import { serverMachine, type ServerContext } from '../../../machines/server.machine.js';

/** The machine with a store that fails to open `failures` times and a policy that answers with `verdict`. */
function rootWith(failures: number, verdict: (context: ServerContext) => { escalated: boolean; backoffMs: number }) {
  const reports: { evt: string; delayMs?: number }[] = [];
  let opens = 0;
  const machine = serverMachine.provide({
    actors: {
      openStore: fromPromise(async () => {
        opens += 1;
        if (opens <= failures) throw new Error('store down');
      }),
    },
    actions: {
      noteFailure: assign(({ context }, params: { child: string; error: unknown }) => ({
        failedChild: params.child, lastError: params.error, ...verdict(context),
        restarts: { ...context.restarts, [params.child]: [...(context.restarts[params.child] ?? []), 0] },
      })),
      report: (_, params: { evt: string; delayMs?: number }) => void reports.push({ evt: params.evt, delayMs: params.delayMs }),
    },
  });
  const clock = new SimulatedClock();
  const actor = createActor(machine, { clock });
  actor.subscribe({ error: () => {} });
  return { actor, clock, reports, opens: () => opens };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('server machine restart decisions', () => {
  it('waits the backoff its context holds before reopening the store', async () => {
    const root = rootWith(1, (c) => ({ escalated: false, backoffMs: 250 * ((c.restarts['store']?.length ?? 0) + 1) }));
    root.actor.start();
    await flush();
    expect(root.actor.getSnapshot().value).toBe('recovering');
    expect(root.actor.getSnapshot().context).toMatchObject({ backoffMs: 250, escalated: false, restarts: { store: [0] } });
    expect(root.reports).toEqual([{ evt: 'supervisor.restarting', delayMs: 250 }]);
    root.clock.increment(249);
    expect(root.opens()).toBe(1);
    root.clock.increment(1);
    await flush();
    expect(root.opens()).toBe(2);
    expect(root.actor.getSnapshot().value).not.toBe('recovering');
    root.actor.stop();
  });

  it('an escalated failure goes to failed and never announces a restart', async () => {
    const root = rootWith(1, () => ({ escalated: true, backoffMs: 1_000 }));
    root.actor.start();
    await flush();
    expect(root.actor.getSnapshot().value).toBe('failed');
    expect(root.reports.map((r) => r.evt)).toEqual(['supervisor.escalated']);
  });
});

describe('server machine stopped during start-up', () => {
  /** The machine with start-up children that never finish, and a drain that records it ran. */
  function startingRoot(hang: 'openStore' | 'rehydrate') {
    const seen = { drained: false, aborted: false };
    const never = fromPromise<void>(() => new Promise<void>(() => {}));
    const machine = serverMachine.provide({
      actors: {
        ...(hang === 'openStore' ? { openStore: never } : {}),
        rehydrate: fromPromise(({ signal }) => {
          signal.addEventListener('abort', () => (seen.aborted = true));
          return new Promise<never>(() => {});
        }),
        drain: fromPromise<void>(async () => {
          seen.drained = true;
        }),
      },
    });
    const actor = createActor(machine, { clock: new SimulatedClock() });
    actor.subscribe({ error: () => {} });
    return { actor, seen };
  }

  it.each(['openStore', 'rehydrate'] as const)('a stop while in %s drains and stops at once', async (hang) => {
    const root = startingRoot(hang);
    root.actor.start();
    await flush();
    expect(root.actor.getSnapshot().value).toBe(hang === 'openStore' ? 'openingStore' : 'rehydrating');
    root.actor.send({ type: 'server.stop' });
    await flush();
    expect(root.actor.getSnapshot().value).toBe('stopped');
    expect(root.seen.drained).toBe(true);
    // The rehydrate loop is told to stop reading (src/app.ts checks the signal per record).
    expect(root.seen.aborted).toBe(hang === 'rehydrate');
  });
});
