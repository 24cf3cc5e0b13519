// Makes a lease change durable before it is acted on: no ACK without a synced write (group commit in the store).
import { classify } from '../errors.js';
import type { LeaseChange } from '../leases/lease-book.js';
import type { ServerDeps } from './deps.js';

/** True once stored; on failure the change is undone in memory, logged and counted, and false returned. */
export async function persist(deps: ServerDeps, change: LeaseChange): Promise<boolean> {
  try {
    await deps.store.write([{ kind: 'put', record: change.after }]);
    return true;
  } catch (error) {
    deps.book.revert(change);
    const err = classify(error);
    deps.stats.error(err.category);
    deps.log.error({ evt: 'store.write_failed', err, ip: change.after.context.ip }, 'lease not stored: no ACK');
    return false;
  }
}
