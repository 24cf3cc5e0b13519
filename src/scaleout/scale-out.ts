// Several servers on one lease database: the lease book follows the database, DISCOVERs are load balanced by
// RFC 3074 buckets, and each server starts its next-free scan in its own part of every pool, so servers rarely
// offer the same free address to different clients (the database would let only one of them bind it).
import type { Cursor } from '../allocator/allocator.js';
import { poolSize } from '../allocator/allocator.js';
import type { DhcpRequest } from '../codec/types.js';
import type { ServerConfig } from '../config/types.js';
import type { LeaseBook } from '../leases/lease-book.js';
import type { Logger } from '../log.js';
import { isShared } from '../store/shared.js';
import type { LeaseStore } from '../store/types.js';
import { LoadBalancer } from './balancer.js';
import { followRemoteChanges } from './cache-sync.js';

export interface ScaleOut {
  /** The DISCOVER hook: false when another server answers this client. */
  readonly answersDiscover?: (request: DhcpRequest) => boolean;
  readonly stop: () => void;
}

export function startScaleOut(config: ServerConfig, store: LeaseStore, book: LeaseBook, cursors: Map<number, Cursor>, log: Logger): ScaleOut {
  if (!isShared(store)) return { stop: () => undefined };
  const unfollow = followRemoteChanges(store, book, log.child({ component: 'scaleout' }));
  const scaleOut = config.scaleOut;
  if (scaleOut === undefined) return { stop: unfollow };
  const index = scaleOut.peers.indexOf(scaleOut.self);
  for (const subnet of config.subnets) {
    cursors.set(subnet.id, { next: Math.floor((poolSize(subnet.pools) * index) / scaleOut.peers.length) });
  }
  const balancer = new LoadBalancer(scaleOut, () => store.peerStatus());
  log.info({ evt: 'scaleout.started', self: scaleOut.self, peers: scaleOut.peers }, 'sharing the lease database with peers');
  return { answersDiscover: (request) => balancer.answersDiscover(request), stop: unfollow };
}
