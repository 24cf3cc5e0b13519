// The health report: the supervisor tree (each child's status and restart count) and the store's condition,
// read by `app.health()`, the SIGUSR2 dump (evt server.health) and later the HTTP control plane.
import type { SnapshotFrom } from 'xstate';
import type { ServerMachine } from '../../machines/server.machine.js';
import { classify } from '../errors.js';
import type { StoreHealth } from '../store/types.js';

export type ChildStatus = 'starting' | 'running' | 'degraded' | 'restarting' | 'failed' | 'stopped';

export interface ChildHealth {
  readonly status: ChildStatus;
  /** Restarts inside the strategy's window. */
  readonly restarts: number;
  /** The code of the failure that made it restart or fail. */
  readonly lastError?: string;
}

export interface Health {
  /** ok: serving with a writable store; degraded: serving without granting leases, or restarting; failed: exiting. */
  readonly status: 'ok' | 'degraded' | 'failed' | 'stopped';
  readonly state: string;
  readonly serving: boolean;
  readonly store: StoreHealth;
  readonly restarts: Readonly<Record<string, number>>;
  readonly failedChild?: string;
  readonly children: {
    readonly store: ChildHealth;
    readonly ingress: ChildHealth;
    readonly transactions: { readonly active: number; readonly queued: number };
  };
}

type RootSnapshot = SnapshotFrom<ServerMachine>;

/** "serving.running" for nested states. */
export function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  return Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}.${stateName(v)}`).join(',');
}

function childHealth(snapshot: RootSnapshot, child: 'store' | 'ingress', up: ChildStatus): ChildHealth {
  const { failedChild, lastError, restarts } = snapshot.context;
  const mine = failedChild === child;
  let status: ChildStatus = up;
  if (snapshot.matches('failed')) status = mine ? 'failed' : 'stopped';
  else if (snapshot.matches('draining') || snapshot.matches('stopped')) status = 'stopped';
  else if (snapshot.matches('recovering')) status = mine ? 'restarting' : child === 'store' ? up : 'stopped';
  return {
    status,
    restarts: restarts[child]?.length ?? 0,
    ...(mine && lastError !== undefined ? { lastError: classify(lastError).code } : {}),
  };
}

export function healthOf(snapshot: RootSnapshot, store: StoreHealth, transactions: Health['children']['transactions']): Health {
  // A reload swaps the config between packets: the daemon serves throughout.
  const serving = snapshot.matches({ serving: 'running' }) || snapshot.matches({ serving: 'reloading' });
  const starting = snapshot.matches('openingStore') || snapshot.matches('rehydrating');
  const storeUp: ChildStatus = starting ? 'starting' : store.writable ? 'running' : 'degraded';
  const children = {
    store: childHealth(snapshot, 'store', storeUp),
    ingress: childHealth(snapshot, 'ingress', serving || snapshot.matches('serving') ? 'running' : 'starting'),
    transactions,
  };
  const failed = snapshot.matches('failed');
  const stopped = snapshot.matches('stopped') || snapshot.matches('draining');
  return {
    status: failed ? 'failed' : stopped ? 'stopped' : serving && store.writable ? 'ok' : 'degraded',
    state: stateName(snapshot.value),
    serving,
    store,
    restarts: Object.fromEntries(Object.entries(snapshot.context.restarts).map(([k, v]) => [k, v.length])),
    ...(snapshot.context.failedChild !== undefined ? { failedChild: snapshot.context.failedChild } : {}),
    children,
  };
}
