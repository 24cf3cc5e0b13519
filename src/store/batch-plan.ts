// Turns one group-commit batch of LeaseWrites into the final lease and by-client index changes, against the
// committed state, so the batch keeps both sublevels consistent when applied atomically.
import type { LeaseRecord } from '../../machines/lease.types.js';
import { addressKey, clientIndexKey } from './keys.js';
import type { LeaseWrite } from './types.js';

/** Reads of committed state; batches are serialized, so nothing changes under a plan while it is made. */
export interface CommittedState {
  /** Per key: the stored lease's owner, null when none is stored, undefined when the stored value is unreadable. */
  owners(keys: readonly string[]): Promise<readonly Owner[]>;
  clients(keys: readonly string[]): Promise<readonly (string | undefined)[]>;
}

/** Final value per touched key: a record / address to put, or null to delete. */
export interface BatchPlan {
  readonly leases: ReadonlyMap<string, LeaseRecord | null>;
  readonly clients: ReadonlyMap<string, string | null>;
}

/** Owner of an address: its client index key, null when free, or undefined when the stored record is unreadable. */
type Owner = string | null | undefined;

export function ownerOf(record: LeaseRecord): string {
  return clientIndexKey(record.context.subnetId, record.context.clientKey);
}

/**
 * Replays the writes in request order over the committed state. The last write to a key wins, which is the
 * request order the store promises. A client index entry is removed only while it still points at the address
 * being overwritten or deleted: the client may since hold another address, and that entry must survive.
 */
export async function planBatch(writes: readonly LeaseWrite[], state: CommittedState): Promise<BatchPlan> {
  const owners = await readOwners(writes, state);
  const clientList = [...ownersToCheck(writes, owners)];
  const pointsTo = new Map<string, string | null>();
  const stored = clientList.length === 0 ? [] : await state.clients(clientList);
  clientList.forEach((key, i) => pointsTo.set(key, stored[i] ?? null));

  const leases = new Map<string, LeaseRecord | null>();
  const clients = new Map<string, string | null>();
  const release = (owner: Owner, ip: string): void => {
    if (typeof owner === 'string' && pointsTo.get(owner) === ip) {
      pointsTo.set(owner, null);
      clients.set(owner, null);
    }
  };
  for (const write of writes) {
    const ip = write.kind === 'put' ? write.record.context.ip : write.ip;
    const key = addressKey(ip);
    const previous = owners.get(key);
    if (write.kind === 'put') {
      const owner = ownerOf(write.record);
      if (previous !== owner) release(previous, ip);
      pointsTo.set(owner, ip);
      clients.set(owner, ip);
      owners.set(key, owner);
      leases.set(key, write.record);
    } else {
      release(previous, ip);
      owners.set(key, null);
      leases.set(key, null);
    }
  }
  return { leases, clients };
}

/**
 * The stored owners whose index entry this batch may remove: those of addresses whose first write here is a
 * delete or a put for another client. Later writes to an address see owners set by this batch, and a new
 * owner's entry is overwritten without looking, so fresh addresses and renewals read no index entry at all.
 */
function ownersToCheck(writes: readonly LeaseWrite[], stored: ReadonlyMap<string, Owner>): Set<string> {
  const seen = new Set<string>();
  const check = new Set<string>();
  for (const write of writes) {
    const key = addressKey(write.kind === 'put' ? write.record.context.ip : write.ip);
    if (seen.has(key)) continue;
    seen.add(key);
    const owner = stored.get(key);
    if (typeof owner === 'string' && (write.kind === 'delete' || ownerOf(write.record) !== owner)) check.add(owner);
  }
  return check;
}

async function readOwners(writes: readonly LeaseWrite[], state: CommittedState): Promise<Map<string, Owner>> {
  const keys = [...new Set(writes.map((w) => addressKey(w.kind === 'put' ? w.record.context.ip : w.ip)))];
  const stored = await state.owners(keys);
  // An unreadable record may be overwritten (that repairs it); only its stale index entry cannot be found.
  return new Map(keys.map((key, i) => [key, stored[i]]));
}
