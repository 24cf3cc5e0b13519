// An operator's release of a lease (control API, CLI): the same lease machine event and durable write as a
// client's DHCPRELEASE (handlers/release.ts, RFC 2131 §4.3.4), logged as lease.released with who asked.
import type { LeaseRecord } from '../store/types.js';
import type { ServerDeps } from './deps.js';
import { persist } from './persist.js';

export type AdminReleaseOutcome =
  | { readonly released: true; readonly lease: LeaseRecord }
  | { readonly released: false; readonly reason: 'not-found' | 'not-releasable' | 'store-unavailable'; readonly lease?: LeaseRecord };

export async function adminRelease(deps: ServerDeps, ip: string, by: string): Promise<AdminReleaseOutcome> {
  const before = deps.book.get(ip);
  if (before === undefined) return { released: false, reason: 'not-found' };
  // Offers, declined and already free addresses are not held by a client: the lease machine ignores the event.
  const book = deps.book.withCause({ message: `released by an operator (${by})` });
  const change = book.send(ip, { type: 'lease.release', now: deps.clock.now() });
  if (change === undefined || change.after.state !== 'released') return { released: false, reason: 'not-releasable', lease: before };
  if (!(await persist(deps, change))) return { released: false, reason: 'store-unavailable', lease: before };
  deps.stats.count(deps.stats.events, 'lease.admin_released');
  deps.log.info({ evt: 'lease.released', reason: 'admin-release', by, ip, client: before.context.clientKey, was: before.state },
    'lease released by an operator');
  return { released: true, lease: change.after };
}
