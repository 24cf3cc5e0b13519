// Turns one group-commit batch of LeaseWrites into the final value per address key: one LevelDB key per lease, so
// the plan needs no read of committed state (the lease book, not the store, answers "which lease has this client").
import type { LeaseRecord } from '../../machines/lease.types.js';
import { addressKey } from './keys.js';
import type { LeaseWrite } from './types.js';

/**
 * Final value per touched address key: the record to put, or null to delete. The writes are replayed in request
 * order, so the last write to a key wins, which is the order the store promises.
 */
export function planBatch(writes: readonly LeaseWrite[]): Map<string, LeaseRecord | null> {
  const leases = new Map<string, LeaseRecord | null>();
  for (const write of writes) {
    if (write.kind === 'put') leases.set(addressKey(write.record.context.ip), write.record);
    else leases.set(addressKey(write.ip), null);
  }
  return leases;
}
