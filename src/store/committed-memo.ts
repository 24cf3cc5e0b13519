// What this store instance knows of the committed lease values, so a batch need not read the database before
// every write (neither the lease, for the by-client index, nor the history, for its sequence range): each value
// it loaded or committed, by address. Once a whole loadAll has run with nothing committed during it, and every
// batch since succeeded, it knows every key: an address it does not hold is not stored. Anything uncertain (a
// failed batch, a re-open) clears it, and the store reads the database again.
import type { LeaseValue } from './lease-value.js';

/** A decoded value, or the raw bytes of one that does not decode (kept so it is reported as the database's is). */
export type Committed = LeaseValue | Uint8Array;

export interface MemoScan {
  loaded(key: string, value: Committed): void;
  finished(): void;
}

/**
 * The map key of an address key (8 hex digits): its uint32 as a signed int32, which V8 keeps as a small integer
 * (no heap number per entry, cheaper hashing) — at 10^6 leases the memo is filled in the start-up's hot loop.
 */
const slot = (key: string): number => Number.parseInt(key, 16) | 0;

export class CommittedMemo {
  private readonly values = new Map<number, Committed>();
  private complete = false;
  /** Bumped by every change, so a scan (which reads a snapshot) stops adding entries once the memo moved on. */
  private generation = 0;

  /** The committed value (null: nothing stored), or undefined when the database must be asked. */
  get(key: string): Committed | null | undefined {
    const known = this.values.get(slot(key));
    if (known !== undefined) return known;
    return this.complete ? null : undefined;
  }

  /** A batch landed: its final values per key (null: deleted). */
  committed(values: ReadonlyMap<string, LeaseValue | null>): void {
    this.generation++;
    for (const [key, value] of values) {
      if (value === null) this.values.delete(slot(key));
      else this.values.set(slot(key), value);
    }
  }

  /** A batch failed or the database was re-opened: what is on disk is no longer certain. */
  forget(): void {
    this.generation++;
    this.values.clear();
    this.complete = false;
  }

  /** Follows a full scan of the stored leases. */
  scan(): MemoScan {
    const at = this.generation;
    return {
      loaded: (key, value) => {
        if (this.generation === at) this.values.set(slot(key), value);
      },
      finished: () => {
        if (this.generation === at) this.complete = true;
      },
    };
  }
}
