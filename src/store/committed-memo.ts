// What this store instance knows of the committed lease values, so a batch need not read the database before
// every write (for the history's sequence range): which addresses hold a stored lease, and each one's range. Once
// a whole loadAll has run with nothing committed during it, and every batch since succeeded, it knows every key: an
// address it does not hold is not stored. Anything uncertain (a failed batch, a re-open) clears it, and the store
// reads the database again. At 10^6 leases it holds every one, so it keeps only the range, in a typed array.
import { IntMultimap, type IntMultimapImage } from '../collections/int-multimap.js';
import type { LeaseColumns } from '../lease-columns/packed-leases.js';
import type { HistoryRange, LeaseValue } from './lease-value.js';

/** What a batch needs of a committed value. */
export interface Committed {
  /** Undefined when the value carries no range (it does not decode, or it is an older JSON value). */
  readonly history: HistoryRange | undefined;
}

export interface MemoScan {
  /** A loaded value; undefined when it does not decode. */
  loaded(key: string, value: LeaseValue | undefined): void;
  finished(): void;
}

/** What `lookup` knows of an address. */
export type MemoLookup = typeof UNKNOWN | typeof NOT_STORED | typeof STORED;
export const UNKNOWN = 0;
export const NOT_STORED = 1;
export const STORED = 2;

/** An address key (8 hex digits) as the int32 of its uint32. */
const slotKey = (key: string): number => Number.parseInt(key, 16) | 0;

export class CommittedMemo {
  private slots = new IntMultimap();
  private readonly freeSlots: number[] = [];
  private usedSlots = 0;
  /** Per slot from `restoredSlots` on: the history's first and next; NaN: no range. */
  private ranges: Float64Array = new Float64Array(0);
  /**
   * The ranges of slots 0 .. restoredSlots - 1, adopted from a snapshot, never grown: growing it would copy 16 MB
   * into a new array (~150 ms of page faults at 10^6 leases) at the first new address; new slots go to `ranges`.
   */
  private restored: Float64Array = new Float64Array(0);
  private restoredSlots = 0;
  private complete = false;
  /** Bumped by every change, so a scan (which reads a snapshot) stops adding entries once the memo moved on. */
  private generation = 0;

  /** How many addresses hold a stored lease, of those it knows (all of them once it knows every key). */
  get size(): number {
    return this.usedSlots - this.freeSlots.length;
  }

  /** The committed value at the uint32 address (null: nothing stored), or undefined when the database must be asked. */
  get(ip: number): Committed | null | undefined {
    const slot = this.slots.first(ip | 0);
    if (slot < 0) return this.complete ? null : undefined;
    const column = this.columnOf(slot);
    const at = this.indexOf(slot);
    const first = column[at]!;
    return { history: Number.isNaN(first) ? undefined : { first, next: column[at + 1]! } };
  }

  /**
   * As `get`, without an object: the committed range of the uint32 address goes to `out[at]` and `out[at + 1]`
   * (a NaN first: stored without one). Returns STORED, NOT_STORED, or UNKNOWN when the database must be asked.
   */
  lookup(ip: number, out: Float64Array, at: number): MemoLookup {
    const slot = this.slots.first(ip | 0);
    if (slot < 0) return this.complete ? NOT_STORED : UNKNOWN;
    const column = this.columnOf(slot);
    const index = this.indexOf(slot);
    out[at] = column[index]!;
    out[at + 1] = column[index + 1]!;
    return STORED;
  }

  /** Values landed: per uint32 address, its history range (a NaN first: none), or null when deleted. */
  committed(ranges: ReadonlyMap<number, HistoryRange | null>): void {
    for (const [ip, range] of ranges) {
      if (range === null) this.deleted(ip);
      else this.storedRange(ip, range.first, range.next);
    }
  }

  /** A batch landed that stored a lease at the uint32 address, with this history range. */
  stored(ip: number, history: HistoryRange | undefined): void {
    this.storedRange(ip, history?.first ?? Number.NaN, history?.next ?? Number.NaN);
  }

  /** As `stored`, the range as two numbers (NaN, NaN: none). */
  storedRange(ip: number, first: number, next: number): void {
    this.generation++;
    this.setRange(ip | 0, first, next);
  }

  /** A batch landed that deleted the uint32 address's lease. */
  deleted(ip: number): void {
    this.generation++;
    const k = ip | 0;
    const slot = this.slots.first(k);
    if (slot < 0) return;
    this.slots.delete(k, slot);
    this.freeSlots.push(slot);
  }

  /** A batch failed or the database was re-opened: what is on disk is no longer certain. */
  forget(): void {
    this.generation++;
    this.slots = new IntMultimap();
    this.freeSlots.length = 0;
    this.usedSlots = 0;
    this.ranges = new Float64Array(0);
    this.restored = new Float64Array(0);
    this.restoredSlots = 0;
    this.complete = false;
  }

  /**
   * Every stored lease, from a snapshot that is exactly the store's content: afterwards the memo knows every key,
   * as after a full scan. `ranges` holds each lease's history first and next (NaN: none); it is adopted, not copied
   * (it comes fresh from the snapshot file: 16 MB at 10^6 leases). So is `slots`, the columns' address → lease index
   * when the thread that read them built it (checked-columns.ts).
   */
  restore({ columns, ranges, slots }: { readonly columns: LeaseColumns; readonly ranges: Float64Array; readonly slots?: IntMultimapImage }): void {
    this.forget();
    const { count } = columns;
    if (slots === undefined) {
      this.slots = new IntMultimap(count);
      for (let i = 0; i < count; i++) this.slots.add(columns.ips[i]!, i);
    } else {
      this.slots = IntMultimap.fromImage(slots);
    }
    this.usedSlots = count;
    this.restored = ranges;
    this.restoredSlots = count;
    this.complete = true;
  }

  /** Follows a full scan of the stored leases. */
  scan(): MemoScan {
    const at = this.generation;
    return {
      loaded: (key, value) => {
        if (this.generation === at) this.set(slotKey(key), value?.history);
      },
      finished: () => {
        if (this.generation === at) this.complete = true;
      },
    };
  }

  /** `k`: the int32 of the address. */
  private set(k: number, history: HistoryRange | undefined): void {
    this.setRange(k, history?.first ?? Number.NaN, history?.next ?? Number.NaN);
  }

  private setRange(k: number, first: number, next: number): void {
    let slot = this.slots.first(k);
    if (slot < 0) {
      slot = this.allocate();
      this.slots.add(k, slot);
    }
    const column = this.columnOf(slot);
    const at = this.indexOf(slot);
    column[at] = first;
    column[at + 1] = next;
  }

  /** The array holding the slot's range, at `indexOf(slot)` (first) and the next index (next). */
  private columnOf(slot: number): Float64Array {
    return slot < this.restoredSlots ? this.restored : this.ranges;
  }

  private indexOf(slot: number): number {
    return slot < this.restoredSlots ? 2 * slot : 2 * (slot - this.restoredSlots);
  }

  private allocate(): number {
    const reused = this.freeSlots.pop();
    if (reused !== undefined) return reused;
    const slot = this.usedSlots++;
    if (2 * (slot - this.restoredSlots) >= this.ranges.length) {
      const ranges = new Float64Array(Math.max(2048, this.ranges.length * 2));
      ranges.set(this.ranges);
      this.ranges = ranges;
    }
    return slot;
  }
}
