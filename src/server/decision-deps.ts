// The deps one decision runs with: the daemon's, with the config pinned for the decision's whole run (a reload while
// it awaits its write does not change its mind) and the lease book's view that names the decision's cause.
import type { ServerConfig } from '../config/types.js';
import type { LeaseBook } from '../leases/lease-book.js';
import type { ServerDeps } from './deps.js';

/** Every field of ServerDeps, optional ones included: a field added there must be passed on here (tsc says so). */
type EveryDep = { readonly [K in keyof Required<ServerDeps>]: ServerDeps[K] };

/**
 * Built field by field, once per request: a spread of `deps` made a dictionary-mode copy (~0.9 KB and a few µs per
 * request, bench/profile.sh), while a literal of fixed shape is one small allocation the handlers' inline caches know.
 */
export function decisionDeps(deps: ServerDeps, config: () => ServerConfig, book: LeaseBook): ServerDeps {
  const scoped: EveryDep = {
    config,
    book,
    store: deps.store,
    clock: deps.clock,
    log: deps.log,
    stats: deps.stats,
    notices: deps.notices,
    declines: deps.declines,
    cursors: deps.cursors,
    freeAddresses: deps.freeAddresses,
    probingOffers: deps.probingOffers,
    unreservedOffers: deps.unreservedOffers,
    serverIdFor: deps.serverIdFor,
    answersDiscover: deps.answersDiscover,
  };
  return scoped;
}
