// What this store instance knows of the committed lease records, so the batch planner need not read the database
// before every write: each record it loaded or committed, by address. Once a whole loadAll has run with nothing
// committed during it, and every batch since succeeded, it knows every key: an address it does not hold is not
// stored. Anything uncertain (a failed batch, a re-open) clears it, and the planner reads the database again.
import type { LeaseRecord } from '../../machines/lease.types.js';
import type { EncodedRecord } from './record-codec.js';

/** A decoded record, or the raw value of one that does not decode (kept so it is reported as the database's is). */
export type Committed = LeaseRecord | EncodedRecord;

export interface MemoScan {
  loaded(key: string, value: Committed): void;
  finished(): void;
}

export class CommittedMemo {
  /** By address key parsed as a number (8 hex digits): lighter than the key strings at 10^6 leases. */
  private readonly records = new Map<number, Committed>();
  private complete = false;
  /** Bumped by every change, so a scan (which reads a snapshot) stops adding entries once the memo moved on. */
  private generation = 0;

  /** The committed value (null: nothing stored), or undefined when the database must be asked. */
  get(key: string): Committed | null | undefined {
    const known = this.records.get(Number.parseInt(key, 16));
    if (known !== undefined) return known;
    return this.complete ? null : undefined;
  }

  /** A batch landed: its final values per key. */
  committed(leases: ReadonlyMap<string, LeaseRecord | null>): void {
    this.generation++;
    for (const [key, record] of leases) {
      if (record === null) this.records.delete(Number.parseInt(key, 16));
      else this.records.set(Number.parseInt(key, 16), record);
    }
  }

  /** A batch failed or the database was re-opened: what is on disk is no longer certain. */
  forget(): void {
    this.generation++;
    this.records.clear();
    this.complete = false;
  }

  /** Follows a full scan of the stored leases. */
  scan(): MemoScan {
    const at = this.generation;
    return {
      loaded: (key, value) => {
        if (this.generation === at) this.records.set(Number.parseInt(key, 16), value);
      },
      finished: () => {
        if (this.generation === at) this.complete = true;
      },
    };
  }
}
