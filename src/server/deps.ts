// What the request handlers need, injected by app.ts: the config, the lease table, the store, the clock, logs.
import type { Logger } from 'pino';
import type { Cursor } from '../allocator/allocator.js';
import type { DhcpRequest } from '../codec/types.js';
import type { AggregatedLog } from '../aggregated-log.js';
import type { Clock } from '../clock.js';
import type { ServerConfig, Subnet } from '../config/types.js';
import type { LeaseBook } from '../leases/lease-book.js';
import type { Inbound } from '../net/types.js';
import type { LeaseStore } from '../store/types.js';
import type { DeclineLimiter } from './decline-limiter.js';
import type { FreeAddresses } from './free-addresses.js';
import type { ProbingOffers } from './probing-offers.js';
import type { Stats } from './stats.js';
import type { UnreservedOffers } from './unreserved-offers.js';

export interface ServerDeps {
  /** The config in force (reload swaps it). */
  readonly config: () => ServerConfig;
  readonly book: LeaseBook;
  readonly store: LeaseStore;
  readonly clock: Clock;
  readonly log: Logger;
  readonly stats: Stats;
  /** Per-packet trouble (pool exhausted, unreserved offers), logged aggregated: one line per reason per interval. */
  readonly notices: AggregatedLog;
  readonly declines: DeclineLimiter;
  /** Next-fit allocation cursors, one per subnet id. */
  readonly cursors: Map<number, Cursor>;
  /** Free-address index: the next free address without probing taken ones. */
  readonly freeAddresses: FreeAddresses;
  /** Offers in their conflict-check probe: their address is offered to no one else yet. */
  readonly probingOffers: ProbingOffers;
  /** Offers made under pressure that hold no address: what their client's REQUEST needs to win it (bounded). */
  readonly unreservedOffers: UnreservedOffers;
  /** Option 54 for a reply: the configured id, else our address on the client's link. */
  readonly serverIdFor: (subnet: Subnet | undefined, inbound: Inbound) => string | undefined;
  /** RFC 3074 load balancing with peers (scaleOut): false when another server answers this DISCOVER. */
  readonly answersDiscover?: (request: DhcpRequest) => boolean;
}

export function cursorFor(deps: ServerDeps, subnetId: number): Cursor {
  let cursor = deps.cursors.get(subnetId);
  if (cursor === undefined) {
    cursor = { next: 0 };
    deps.cursors.set(subnetId, cursor);
  }
  return cursor;
}
