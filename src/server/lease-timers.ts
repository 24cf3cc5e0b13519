// What follows a lease's timer transition (the lease book's onTimerChange): the line operators watch for, and
// the write, which goes the one way every lease write goes (persist.ts).
import type { LeaseChange } from '../leases/lease-book.js';
import type { ServerDeps } from './deps.js';
import { persistTimerChange } from './persist.js';

export function onLeaseTimer(deps: ServerDeps, change: LeaseChange): void {
  const { state, context } = change.after;
  if (state === 'expired') deps.log.info({ evt: 'lease.expired', ip: context.ip, client: context.clientKey }, 'lease expired');
  if (state === 'reclaimed') deps.log.debug({ evt: 'lease.reclaimed', ip: context.ip, was: change.before?.state });
  persistTimerChange(deps, change);
}
