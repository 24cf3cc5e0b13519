// Turns one group-commit batch of LeaseWrites into the final value per address: one LevelDB key per lease, so
// the plan needs no read of committed state (the lease book, not the store, answers "which lease has this client").
// Columns by address rather than a Map of objects: a batch is planned for every commit, and most hold each address
// once (repeats are found in a table kept from batch to batch).
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
  // Sized for the most addresses the batch can hold, cut to what it holds at the end (no regrowth while filling).
  const ips = new Array<number>(writes.length);
  const records = new Array<LeaseRecord | null>(writes.length);
  const transitionsOf = new Array<readonly LeaseTransition[] | undefined>(writes.length);
  let count = 0;
  SLOTS.reset(writes.length);
  for (let w = 0; w < writes.length; w++) {
    const write = writes[w]!;
    const ip = addressOf(write.kind === 'put' ? write.record.context.ip : write.ip);
    const record = write.kind === 'put' ? write.record : null;
    const transitions = write.kind === 'put' && write.transitions !== undefined && write.transitions.length > 0 ? write.transitions : undefined;
    const slot = SLOTS.slotOf(ip, count);
    if (slot < 0) {
      ips[count] = ip;
      records[count] = record;
      transitionsOf[count] = transitions;
      count++;
      continue;
    }
    records[slot] = record;
    const before = transitionsOf[slot];
    if (transitions !== undefined) transitionsOf[slot] = before === undefined ? transitions : [...before, ...transitions];
  }
  ips.length = count;
  records.length = count;
  transitionsOf.length = count;
  return { ips, records, transitions: transitionsOf };
}

/**
 * Which slot of the plan each address of a batch took: an open-addressing table kept from batch to batch, started
 * afresh by a new generation (no clearing, nothing allocated once grown). A Map per batch cost ~60 bytes a write.
 * planBatch runs synchronously, so one table serves every store.
 */
class SlotTable {
  private keys = new Int32Array(1024);
  private slots = new Int32Array(1024);
  /** The generation that wrote each entry: entries of older ones are free. */
  private stamps = new Uint32Array(1024);
  private shift = 32 - 10;
  private generation = 0;

  /** Starts a batch of at most `n` addresses (the table stays at most half full). */
  reset(n: number): void {
    if (2 * n > this.keys.length) {
      let bits = 32 - this.shift;
      while (1 << bits < 2 * n) bits++;
      this.keys = new Int32Array(1 << bits);
      this.slots = new Int32Array(1 << bits);
      this.stamps = new Uint32Array(1 << bits);
      this.shift = 32 - bits;
      this.generation = 0;
    }
    if (this.generation === 0xffffffff) {
      this.stamps.fill(0);
      this.generation = 0;
    }
    this.generation++;
  }

  /** The slot the uint32 address took in this batch; or, the first time, -1 after noting `slot` for it. */
  slotOf(ip: number, slot: number): number {
    const key = ip | 0;
    const mask = this.keys.length - 1;
    for (let i = Math.imul(key, 0x9e3779b1) >>> this.shift; ; i = (i + 1) & mask) {
      if (this.stamps[i] !== this.generation) {
        this.stamps[i] = this.generation;
        this.keys[i] = key;
        this.slots[i] = slot;
        return -1;
      }
      if (this.keys[i] === key) return this.slots[i]!;
    }
  }
}

const SLOTS = new SlotTable();

function addressOf(ip: string): number {
  const value = ipToUint32(ip);
  if (value === undefined) throw new TypeError(`not an IPv4 address: ${JSON.stringify(ip)}`);
  return value;
}
