// Turns one group-commit batch of LeaseWrites into the final value per address: one LevelDB key per lease, so
// the plan needs no read of committed state (the lease book, not the store, answers "which lease has this client").
// Columns by address rather than a Map of objects: a batch is planned for every commit, and most hold each address
// once (a map is made only to find repeats).
import type { LeaseRecord, LeaseTransition } from '../../machines/lease.types.js';
import { ipToUint32 } from './keys.js';
import type { LeaseWrite } from './types.js';

export interface BatchPlan {
  /** The touched addresses as uint32, in order of their first write. */
  readonly ips: number[];
  /** The final record per address, or null to delete it: the last write to an address wins. */
  readonly records: (LeaseRecord | null)[];
  /** Every transition the batch's writes carry for the address, in request order (undefined: none). */
  readonly transitions: (readonly LeaseTransition[] | undefined)[];
}

/** The writes replayed in request order, which is the order the store promises. */
export function planBatch(writes: readonly LeaseWrite[]): BatchPlan {
  const plan: BatchPlan = { ips: [], records: [], transitions: [] };
  const slots = writes.length > 1 ? new Map<number, number>() : undefined;
  for (const write of writes) {
    const ip = addressOf(write.kind === 'put' ? write.record.context.ip : write.ip);
    const slot = slots?.get(ip);
    const record = write.kind === 'put' ? write.record : null;
    const transitions = write.kind === 'put' && write.transitions !== undefined && write.transitions.length > 0 ? write.transitions : undefined;
    if (slot === undefined) {
      slots?.set(ip, plan.ips.length);
      plan.ips.push(ip);
      plan.records.push(record);
      plan.transitions.push(transitions);
      continue;
    }
    plan.records[slot] = record;
    const before = plan.transitions[slot];
    if (transitions !== undefined) plan.transitions[slot] = before === undefined ? transitions : [...before, ...transitions];
  }
  return plan;
}

function addressOf(ip: string): number {
  const value = ipToUint32(ip);
  if (value === undefined) throw new TypeError(`not an IPv4 address: ${JSON.stringify(ip)}`);
  return value;
}
