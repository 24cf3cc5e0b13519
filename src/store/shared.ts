// What a store shared by several servers offers besides the LeaseStore contract: changes other servers made
// (so each server's lease book stays a fresh cache of the database) and which peers are alive.
import type { LeaseRecord, LeaseStore } from './types.js';

/** A lease another server (or an operator) changed: its committed record, or undefined once deleted. */
export interface RemoteChange {
  readonly ip: string;
  readonly record: LeaseRecord | undefined;
}

export interface PeerStatus {
  /** Names of the servers whose heartbeat is fresh, by the database's clock (this one included while it can write). */
  readonly alive: ReadonlySet<string>;
  /** When this view was read (epoch ms, local clock). */
  readonly readAt: number;
  /** Each other server's heartbeat age when the view was read (ms, database clock), stale ones included. */
  readonly ages?: ReadonlyMap<string, number>;
}

export interface SharedLeaseStore extends LeaseStore {
  /** Calls the listener for every committed change this server did not make; returns the unsubscribe. */
  watchRemote(listener: (change: RemoteChange) => void): () => void;
  /** The latest heartbeat view, undefined until one was read (or without scaleOut). */
  peerStatus(): PeerStatus | undefined;
}

export function isShared(store: LeaseStore): store is SharedLeaseStore {
  return typeof (store as Partial<SharedLeaseStore>).watchRemote === 'function';
}
