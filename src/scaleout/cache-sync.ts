// With several servers the database is the authority and the lease book its cache: every change another server
// commits (from the store's change feed) replaces this server's copy of that lease, offers held here included.
import type { LeaseBook } from '../leases/lease-book.js';
import type { Logger } from '../log.js';
import type { SharedLeaseStore } from '../store/shared.js';

export function followRemoteChanges(store: SharedLeaseStore, book: LeaseBook, log: Logger): () => void {
  return store.watchRemote(({ ip, record }) => {
    const mine = book.get(ip);
    if (record === undefined) book.forget(ip);
    else book.restore(record);
    if (mine?.state === 'offered' && mine.context.clientKey !== record?.context.clientKey) {
      log.info({ evt: 'lease.offer.superseded', ip, client: mine.context.clientKey, holder: record?.context.clientKey },
        'another server bound an address offered here: the offer is withdrawn');
    }
  });
}
