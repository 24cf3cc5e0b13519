// Leases at rest, in columns of typed arrays (one slot per address) instead of one object graph per lease: a
// record, its context, its timer list and timers, and their boxed numbers cost ~600 bytes of heap each, which at
// 10^6 leases is most of a gigabyte and a long old-generation GC. A packed lease costs ~110 bytes; it becomes a
// LeaseRecord again (`get`) only when a request or a timer touches it. Packing is exact: a record this layout
// cannot hold exactly (a field it does not know, too many timers) is refused, and the book keeps it as an object.
import type { LeaseContext, LeaseRecord, LeaseState, LeaseTimer } from '../../machines/lease.types.js';
import { intToIp, parseIpv4 } from '../codec/index.js';
import { IntMultimap, type IntMultimapImage } from '../collections/int-multimap.js';
import { LEASE_STATES } from '../leases/states.js';
import type { FlatLease } from './flat-lease.js';
import { asciiString, KeyBlob, KeyColumn } from './key-column.js';
import type { TableIndexes } from './table-indexes.js';

const TIME_FIELDS = ['offerExpiresAt', 'boundAt', 'renewAt', 'rebindAt', 'expiresAt', 'graceUntil', 'probationUntil', 'changedAt'] as const;
const TIMES = TIME_FIELDS.length;
/** Times kept per slot besides changedAt: the other context times, then the timers' deadlines. */
const OFFSETS = TIMES - 1;
/** Every context field but the optional hostname. */
const REQUIRED_FIELDS = 4 + TIMES;
const STATE_INDEX = new Map(LEASE_STATES.map((state, i) => [state, i]));
/** The lease machine arms at most three timers at once (T1, T2, expiry); one spare. */
const MAX_TIMERS = 4;
const EVENT_SCRATCH = new Uint8Array(MAX_TIMERS);
const TIME_SCRATCH = new Float64Array(OFFSETS + MAX_TIMERS);
/** The offset that stands for the time 0 (a field not set yet, such as probationUntil before a decline). */
const ZERO = -0x80000000;

/** Timer event names, shared by every table: the machine has a handful; beyond 255 a record stays an object. */
const EVENTS: string[] = [];
const EVENT_IDS = new Map<string, number>();

function eventId(event: string): number {
  const known = EVENT_IDS.get(event);
  if (known !== undefined) return known;
  if (EVENTS.length > 255) return -1;
  EVENT_IDS.set(event, EVENTS.length);
  EVENTS.push(event);
  return EVENTS.length - 1;
}

/** What `forEach` reports of a lease without building its record. */
export type LeaseSummaryFn = (ip: number, subnetId: number, state: LeaseState) => void;

/** Times kept per lease in `LeaseColumns.offsets`. */
export const TIME_COLUMNS = OFFSETS + MAX_TIMERS;

/**
 * Every packed lease, compacted (lease i of `count` in each column), with the timer event names the ids index: what
 * a snapshot image holds, and all `fromColumns` needs to rebuild the table without a record per lease.
 */
export interface LeaseColumns {
  readonly count: number;
  readonly events: readonly string[];
  readonly ips: Uint32Array;
  readonly subnets: Uint32Array;
  readonly states: Uint8Array;
  readonly timerCounts: Uint8Array;
  /** MAX_TIMERS per lease. */
  readonly timerEvents: Uint8Array;
  /** changedAt. */
  readonly bases: Float64Array;
  /** TIME_COLUMNS per lease, as offsets from the base (see SlotTimes). */
  readonly offsets: Int32Array;
  /** Leases whose times are not offsets: every time exactly, by lease index. */
  readonly exact: ReadonlyMap<number, Float64Array>;
  readonly clientKeys: KeyBlob;
  /** The hardware address's length when it is the tail of the client key (in UTF-16 code units), else -1. */
  readonly hwTails: Int32Array;
  /** The hardware addresses that are not a tail of their key, by lease index. */
  readonly hwStrings: ReadonlyMap<number, string>;
  readonly hostnames: ReadonlyMap<number, string>;
}

export class PackedLeases {
  /** Address (uint32) → slot. */
  private slots = new IntMultimap();
  private readonly freeSlots: number[] = [];
  private end = 0;
  private capacity = 0;
  private ips: Uint32Array = new Uint32Array(0);
  private subnets: Uint32Array = new Uint32Array(0);
  private states: Uint8Array = new Uint8Array(0);
  private timerCounts: Uint8Array = new Uint8Array(0);
  private timerEvents: Uint8Array = new Uint8Array(0);
  private readonly times = new SlotTimes(OFFSETS + MAX_TIMERS);
  /** Whether a slot is in use, and its lease's client key. */
  private readonly keys = new KeyColumn();
  /** The hardware address's length when it is the tail of the client key ("hw:1:<mac>": one string less), else -1. */
  private hwTails: Int32Array = new Int32Array(0);
  /** The hardware addresses that are not a tail of their key. */
  private readonly hwStrings = new Map<number, string>();
  private readonly hostnames = new Map<number, string>();
  /** The lease book's indexes computed with the table, until taken (fromColumns, takeIndexes). */
  private indexes: TableIndexes | undefined;
  private changedSinceIndexed = new Map<number, number | undefined>();

  get size(): number {
    return this.slots.size;
  }

  has(ip: number): boolean {
    return this.slots.first(ip) >= 0;
  }

  /** Whether a lease at a new address fits without growing the columns (a freed slot, or room at the end). */
  hasRoom(): boolean {
    return this.freeSlots.length > 0 || this.end < this.capacity;
  }

  /** The address's slot, or -1: for data kept beside the table by slot (a table loaded whole has lease i in slot i). */
  slotOf(ip: number): number {
    return this.slots.first(ip);
  }

  /** The slots in use as runs, start and end (exclusive) in turn, in slot order: the order `columns()` exports. */
  liveRuns(): number[] {
    const runs: number[] = [];
    for (let slot = 0; slot < this.end;) {
      if (!this.keys.has(slot)) {
        slot++;
        continue;
      }
      const start = slot;
      while (slot < this.end && this.keys.has(slot)) slot++;
      runs.push(start, slot);
    }
    return runs;
  }

  /** Packs the record in place of its address's packed one; false (and nothing changed) when it does not fit. */
  pack(record: LeaseRecord): boolean {
    const ip = packableAddress(record);
    if (ip < 0) return false;
    const { context, timers } = record;
    for (let i = 0; i < timers.length; i++) {
      const id = eventId(timers[i]!.event);
      if (id < 0) return false;
      EVENT_SCRATCH[i] = id;
    }
    let slot = this.slots.first(ip);
    if (this.indexes !== undefined) this.noteChange(ip, slot);
    if (slot < 0) {
      slot = this.allocate();
      this.slots.add(ip, slot);
    }
    this.ips[slot] = ip;
    this.subnets[slot] = context.subnetId;
    this.states[slot] = STATE_INDEX.get(record.state)!;
    TIME_SCRATCH[0] = context.offerExpiresAt;
    TIME_SCRATCH[1] = context.boundAt;
    TIME_SCRATCH[2] = context.renewAt;
    TIME_SCRATCH[3] = context.rebindAt;
    TIME_SCRATCH[4] = context.expiresAt;
    TIME_SCRATCH[5] = context.graceUntil;
    TIME_SCRATCH[6] = context.probationUntil;
    this.timerCounts[slot] = timers.length;
    for (let i = 0; i < timers.length; i++) {
      this.timerEvents[slot * MAX_TIMERS + i] = EVENT_SCRATCH[i]!;
      TIME_SCRATCH[OFFSETS + i] = timers[i]!.at;
    }
    this.times.set(slot, context.changedAt, TIME_SCRATCH, OFFSETS + timers.length);
    const { clientKey, hwAddress } = context;
    this.keys.set(slot, clientKey);
    const isTail = hwAddress.length > 0 && clientKey.length > hwAddress.length && clientKey.endsWith(hwAddress);
    this.hwTails[slot] = isTail ? hwAddress.length : -1;
    if (!isTail) this.hwStrings.set(slot, hwAddress);
    else if (this.hwStrings.size > 0) this.hwStrings.delete(slot);
    if (context.hostname !== undefined) this.hostnames.set(slot, context.hostname);
    else if (this.hostnames.size > 0) this.hostnames.delete(slot);
    return true;
  }

  /**
   * As `pack` for a lease read flat from its stored value (flat-lease.ts), with no record built: its key is kept as
   * the table holds it already when the same client's (the usual rewrite). False, and nothing changed, when it does
   * not fit (as `pack` would refuse its record).
   */
  packFlat(flat: FlatLease): boolean {
    const { timerCount, bytes } = flat;
    for (let i = 0; i < timerCount; i++) {
      const id = eventId(flat.timerEvents[i]!);
      if (id < 0) return false;
      EVENT_SCRATCH[i] = id;
    }
    const ip = flat.ip | 0;
    let slot = this.slots.first(ip);
    if (this.indexes !== undefined) this.noteChange(ip, slot);
    if (slot < 0) {
      slot = this.allocate();
      this.slots.add(ip, slot);
    }
    this.ips[slot] = flat.ip;
    this.subnets[slot] = flat.subnetId;
    this.states[slot] = STATE_INDEX.get(flat.state)!;
    TIME_SCRATCH.set(flat.times.subarray(0, OFFSETS));
    this.timerCounts[slot] = timerCount;
    for (let i = 0; i < timerCount; i++) {
      this.timerEvents[slot * MAX_TIMERS + i] = EVENT_SCRATCH[i]!;
      TIME_SCRATCH[OFFSETS + i] = flat.timerAts[i]!;
    }
    this.times.set(slot, flat.times[OFFSETS]!, TIME_SCRATCH, OFFSETS + timerCount);
    const { keyStart, keyEnd, hwStart, hwEnd } = flat;
    this.keys.setAscii(slot, bytes, keyStart, keyEnd);
    const hwLength = hwEnd - hwStart;
    const isTail = hwLength > 0 && keyEnd - keyStart > hwLength && sameBytes(bytes, keyEnd - hwLength, hwStart, hwLength);
    this.hwTails[slot] = isTail ? hwLength : -1;
    if (!isTail) this.hwStrings.set(slot, asciiString(bytes, hwStart, hwEnd));
    else if (this.hwStrings.size > 0) this.hwStrings.delete(slot);
    if (flat.hostname !== undefined) this.hostnames.set(slot, flat.hostname);
    else if (this.hostnames.size > 0) this.hostnames.delete(slot);
    return true;
  }

  /** The packed lease as a record (a new object on each call). */
  get(ip: number): LeaseRecord | undefined {
    const slot = this.slots.first(ip);
    return slot < 0 ? undefined : this.recordAt(slot);
  }

  /** The packed lease's state, without building its record. */
  stateOf(ip: number): LeaseState | undefined {
    const slot = this.slots.first(ip);
    return slot < 0 ? undefined : LEASE_STATES[this.states[slot]!];
  }

  /** clientHash of the packed lease's subnet and client key, without building the key; undefined without a lease. */
  clientHashOf(ip: number): number | undefined {
    const slot = this.slots.first(ip);
    return slot < 0 ? undefined : this.keys.hash(this.subnets[slot]!, slot);
  }

  /** The packed lease's timers, without building the rest of its record. */
  timersOf(ip: number): LeaseTimer[] | undefined {
    const slot = this.slots.first(ip);
    return slot < 0 ? undefined : this.timersAt(slot);
  }

  /** Whether the packed lease has this timer (the expiry schedule's "still current" check). */
  hasTimer(ip: number, event: string, at: number): boolean {
    const slot = this.slots.first(ip);
    const id = EVENT_IDS.get(event);
    if (slot < 0 || id === undefined) return false;
    for (let i = 0; i < this.timerCounts[slot]!; i++) {
      if (this.timerEvents[slot * MAX_TIMERS + i] === id && this.times.get(slot, OFFSETS + i) === at) return true;
    }
    return false;
  }

  delete(ip: number): void {
    const slot = this.slots.first(ip);
    if (slot < 0) return;
    if (this.indexes !== undefined) this.noteChange(ip, slot);
    this.slots.delete(ip, slot);
    this.keys.clear(slot);
    this.hwStrings.delete(slot);
    this.hostnames.delete(slot);
    this.times.free(slot);
    this.freeSlots.push(slot);
  }

  *records(): Generator<LeaseRecord> {
    for (let slot = 0; slot < this.end; slot++) if (this.keys.has(slot)) yield this.recordAt(slot);
  }

  /** Address, subnet and state of every packed lease: for counts and indexes that need no record. */
  forEach(fn: LeaseSummaryFn): void {
    for (let slot = 0; slot < this.end; slot++) {
      if (this.keys.has(slot)) fn(this.ips[slot]!, this.subnets[slot]!, LEASE_STATES[this.states[slot]!]!);
    }
  }

  /**
   * Every packed lease's address, the hash of its client (clientHash of its subnet and key), its state and the
   * earliest of its timers (Infinity: none; NaN: one is not finite), without building records or key strings: for
   * indexing a table loaded whole.
   */
  forEachIndexed(fn: (ip: number, clientHash: number, state: LeaseState, earliestTimer: number) => void): void {
    for (let slot = 0; slot < this.end; slot++) {
      if (!this.keys.has(slot)) continue;
      let earliest = Infinity;
      for (let i = 0; i < this.timerCounts[slot]!; i++) {
        const at = this.times.get(slot, OFFSETS + i);
        earliest = Number.isFinite(at) ? Math.min(earliest, at) : Number.NaN;
      }
      const subnetId = this.subnets[slot]!;
      fn(this.ips[slot]!, this.keys.hash(subnetId, slot), LEASE_STATES[this.states[slot]!]!, earliest);
    }
  }

  /**
   * As `columns()`, but the typed columns are views of the table's own arrays when its slots in use are 0..n-1
   * (a table only packed into, or loaded whole and changed without deletes): for writing a snapshot of a table that
   * is dropped afterwards, without copying 10^6 leases' columns first.
   */
  image(): LeaseColumns {
    const runs = this.liveRuns();
    if (!fromSlotZero(runs)) return this.columns();
    const n = runs[1] ?? 0;
    const times = this.times.view(n, TIME_COLUMNS);
    return {
      count: n, events: [...EVENTS], ips: this.ips.subarray(0, n), subnets: this.subnets.subarray(0, n),
      states: this.states.subarray(0, n), timerCounts: this.timerCounts.subarray(0, n),
      timerEvents: this.timerEvents.subarray(0, n * MAX_TIMERS), ...times, hwTails: this.hwTails.subarray(0, n),
      hwStrings: new Map(this.hwStrings), hostnames: new Map(this.hostnames), clientKeys: this.keys.blobOf(runs, n),
    };
  }

  /**
   * The address → slot index as arrays when it is also `image()`'s address → lease index (the slots in use are
   * 0..n-1), else undefined. The live arrays: for a table dropped afterwards.
   */
  slotImage(): IntMultimapImage | undefined {
    const runs = this.liveRuns();
    return fromSlotZero(runs) ? this.slots.image() : undefined;
  }

  /** The live leases as columns (copies): for a snapshot image. In slot order (`liveRuns`): packing order, for a
   * table that was only ever packed into. */
  columns(): LeaseColumns {
    const count = this.size;
    const ips = new Uint32Array(count);
    const subnets = new Uint32Array(count);
    const states = new Uint8Array(count);
    const timerCounts = new Uint8Array(count);
    const timerEvents = new Uint8Array(count * MAX_TIMERS);
    const bases = new Float64Array(count);
    const offsets = new Int32Array(count * TIME_COLUMNS);
    const hwTails = new Int32Array(count);
    // Whole runs of slots in use at once (a table loaded whole and changed in place is one run): array copies.
    const runs = this.liveRuns();
    for (let r = 0, i = 0; r < runs.length; r += 2) {
      const start = runs[r]!;
      const end = runs[r + 1]!;
      ips.set(this.ips.subarray(start, end), i);
      subnets.set(this.subnets.subarray(start, end), i);
      states.set(this.states.subarray(start, end), i);
      timerCounts.set(this.timerCounts.subarray(start, end), i);
      timerEvents.set(this.timerEvents.subarray(start * MAX_TIMERS, end * MAX_TIMERS), i * MAX_TIMERS);
      hwTails.set(this.hwTails.subarray(start, end), i);
      this.times.exportRun(start, end, i, bases, offsets);
      i += end - start;
    }
    const indexOf = runIndex(runs);
    const exact = this.times.exportExact(indexOf);
    const hwStrings = new Map<number, string>();
    for (const [slot, hw] of this.hwStrings) hwStrings.set(indexOf(slot), hw);
    const hostnames = new Map<number, string>();
    for (const [slot, hostname] of this.hostnames) hostnames.set(indexOf(slot), hostname);
    const clientKeys = this.keys.blobOf(runs, count);
    return { count, events: [...EVENTS], ips, subnets, states, timerCounts, timerEvents, bases, offsets, exact, clientKeys, hwTails, hwStrings, hostnames };
  }

  /**
   * A table holding the columns' leases (their arrays are adopted, not copied: the caller must not change them).
   * `checked`: what `checkColumns` gave for these very columns (in another thread), so their checks are not run
   * again; and the lease book's indexes computed with it (table-indexes.ts), which the table hands on once
   * (`takeIndexes`) with the addresses changed since.
   */
  static fromColumns(c: LeaseColumns, checked?: { readonly slots: IntMultimapImage; readonly indexes?: TableIndexes }): PackedLeases {
    const slots = checked === undefined ? checkColumns(c) : IntMultimap.fromImage(checked.slots);
    if (slots.size !== c.count) throw new TypeError('lease columns and their slot index disagree');
    const remap = c.events.map(eventId);
    if (remap.some((id) => id < 0)) throw new TypeError('too many timer event names');
    // This thread's event ids (the order its tables first met the names) may differ from the file's.
    if (remap.some((id, i) => id !== i)) {
      for (let i = 0; i < c.timerEvents.length; i++) c.timerEvents[i] = remap[c.timerEvents[i]!]!;
    }
    const table = new PackedLeases();
    table.adopt(c, slots);
    table.indexes = checked?.indexes;
    return table;
  }

  /** Whether the lease book's indexes computed with the table wait to be taken. */
  get indexed(): boolean {
    return this.indexes !== undefined;
  }

  /**
   * The lease book's indexes computed with this table, and every address changed since with its client hash then
   * (undefined: it had no lease); undefined when there are none (or they were taken). From then on no change is
   * tracked.
   */
  takeIndexes(): { readonly indexes: TableIndexes; readonly changed: ReadonlyMap<number, number | undefined> } | undefined {
    const { indexes, changedSinceIndexed: changed } = this;
    if (indexes === undefined) return undefined;
    this.indexes = undefined;
    this.changedSinceIndexed = new Map();
    return { indexes, changed };
  }

  /** Before the address's lease changes while indexes wait to be taken (the caller checks): its hash as they hold it. */
  private noteChange(ip: number, slot: number): void {
    if (this.changedSinceIndexed.has(ip)) return;
    this.changedSinceIndexed.set(ip, slot < 0 ? undefined : this.keys.hash(this.subnets[slot]!, slot));
  }

  private adopt(c: LeaseColumns, slots: IntMultimap): void {
    this.slots = slots;
    this.end = this.capacity = c.count;
    this.ips = c.ips;
    this.subnets = c.subnets;
    this.states = c.states;
    this.timerCounts = c.timerCounts;
    this.timerEvents = c.timerEvents;
    this.times.adopt(c.bases, c.offsets, c.exact);
    this.keys.adopt(c.clientKeys);
    this.hwTails = c.hwTails;
    for (const [i, hw] of c.hwStrings) this.hwStrings.set(i, hw);
    for (const [i, hostname] of c.hostnames) this.hostnames.set(i, hostname);
  }

  private recordAt(slot: number): LeaseRecord {
    const ip = this.ips[slot]!;
    const clientKey = this.keys.get(slot);
    const tail = this.hwTails[slot]!;
    const hwAddress = tail >= 0 ? clientKey.slice(clientKey.length - tail) : this.hwStrings.get(slot)!;
    const hostname = this.hostnames.size === 0 ? undefined : this.hostnames.get(slot);
    const t = this.times;
    // Fields as the lease machine builds the context (hostname always, undefined when none), so built records share
    // its hidden class and a step copies them without adding a field.
    const context: LeaseContext = {
      ip: intToIp(ip), subnetId: this.subnets[slot]!, clientKey, hwAddress, hostname, offerExpiresAt: t.get(slot, 0),
      boundAt: t.get(slot, 1), renewAt: t.get(slot, 2), rebindAt: t.get(slot, 3), expiresAt: t.get(slot, 4),
      graceUntil: t.get(slot, 5), probationUntil: t.get(slot, 6), changedAt: t.base(slot),
    };
    return { state: LEASE_STATES[this.states[slot]!]!, context, timers: this.timersAt(slot) };
  }

  /** At its exact size: a list grown by push() from empty carries a 16-slot backing store (~130 bytes more). */
  private timersAt(slot: number): LeaseTimer[] {
    const timers = new Array<LeaseTimer>(this.timerCounts[slot]!);
    for (let i = 0; i < timers.length; i++) {
      timers[i] = { event: EVENTS[this.timerEvents[slot * MAX_TIMERS + i]!]!, at: this.times.get(slot, OFFSETS + i) };
    }
    return timers;
  }

  private allocate(): number {
    const reused = this.freeSlots.pop();
    if (reused !== undefined) return reused;
    if (this.end === this.capacity) this.grow(Math.max(1024, this.capacity * 2));
    this.keys.push();
    return this.end++;
  }

  private grow(capacity: number): void {
    this.ips = resized(this.ips, capacity);
    this.subnets = resized(this.subnets, capacity);
    this.states = resized(this.states, capacity);
    this.timerCounts = resized(this.timerCounts, capacity);
    this.timerEvents = resized(this.timerEvents, capacity * MAX_TIMERS);
    this.hwTails = resized(this.hwTails, capacity);
    this.times.grow(capacity);
    this.capacity = capacity;
  }
}

/**
 * Per slot, one time exactly (changedAt: 8 bytes) and the others as int32 offsets from it in ms (4 bytes each,
 * against 8): the lease machine sets every time to changedAt plus a delay. A slot with a time that is not such an
 * offset (a fraction, a delay beyond 24 days, NaN) keeps all its times exactly, aside.
 */
class SlotTimes {
  private bases: Float64Array = new Float64Array(0);
  private offsets: Int32Array = new Int32Array(0);
  private readonly exact = new Map<number, Float64Array>();

  constructor(private readonly width: number) {}

  grow(capacity: number): void {
    this.bases = resized(this.bases, capacity);
    this.offsets = resized(this.offsets, capacity * this.width);
  }

  /** Keeps `base` and the first `count` of `values` for the slot. */
  set(slot: number, base: number, values: Float64Array, count: number): void {
    this.bases[slot] = base;
    for (let i = 0; i < count; i++) {
      const offset = offsetOf(values[i]!, base);
      if (offset === undefined) {
        this.exact.set(slot, values.slice(0, count));
        return;
      }
      this.offsets[slot * this.width + i] = offset;
    }
    if (this.exact.size > 0) this.exact.delete(slot);
  }

  base(slot: number): number {
    return this.bases[slot]!;
  }

  get(slot: number, i: number): number {
    const exact = this.exact.size === 0 ? undefined : this.exact.get(slot);
    if (exact !== undefined) return exact[i]!;
    const offset = this.offsets[slot * this.width + i]!;
    return offset === ZERO ? 0 : this.bases[slot]! + offset;
  }

  free(slot: number): void {
    this.exact.delete(slot);
  }

  /** Copies the times of slots start..end - 1 to leases i, i + 1, … of the columns (the exact ones: exportExact). */
  exportRun(start: number, end: number, i: number, bases: Float64Array, offsets: Int32Array): void {
    bases.set(this.bases.subarray(start, end), i);
    offsets.set(this.offsets.subarray(start * this.width, end * this.width), i * this.width);
  }

  /** The first n slots' times, as views (the exact ones copied into a map of their own). */
  view(n: number, width: number): { bases: Float64Array; offsets: Int32Array; exact: Map<number, Float64Array> } {
    return { bases: this.bases.subarray(0, n), offsets: this.offsets.subarray(0, n * width), exact: new Map(this.exact) };
  }

  /** The slots' exact times, by lease index. */
  exportExact(indexOf: (slot: number) => number): Map<number, Float64Array> {
    const exact = new Map<number, Float64Array>();
    for (const [slot, times] of this.exact) exact.set(indexOf(slot), times);
    return exact;
  }

  adopt(bases: Float64Array, offsets: Int32Array, exact: ReadonlyMap<number, Float64Array>): void {
    this.bases = bases;
    this.offsets = offsets;
    for (const [slot, times] of exact) this.exact.set(slot, times);
  }
}

/** Whether the slots in use (runs as liveRuns gives them) are 0..n-1, so slot i holds lease i of the columns. */
function fromSlotZero(runs: readonly number[]): boolean {
  return runs.length === 0 || (runs.length === 2 && runs[0] === 0);
}

function sameBytes(bytes: Uint8Array, a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (bytes[a + i] !== bytes[b + i]) return false;
  return true;
}

/** The value as an offset from base that gives it back exactly, or undefined. */
function offsetOf(value: number, base: number): number | undefined {
  if (Object.is(value, 0)) return ZERO;
  const offset = value - base;
  if (!Number.isInteger(offset) || offset <= ZERO || offset > 0x7fffffff || base + offset !== value || Object.is(value, -0)) return undefined;
  return offset;
}

/** Maps a slot in use to its lease index in columns exported by these runs (see liveRuns). */
function runIndex(runs: readonly number[]): (slot: number) => number {
  const before: number[] = [];
  for (let r = 0, total = 0; r < runs.length; r += 2) {
    before.push(total);
    total += runs[r + 1]! - runs[r]!;
  }
  return (slot) => {
    let lo = 0;
    let hi = before.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (runs[2 * mid]! <= slot) lo = mid;
      else hi = mid - 1;
    }
    return before[lo]! + slot - runs[2 * lo]!;
  };
}

function resized<T extends Uint8Array | Uint32Array | Int32Array | Float64Array>(array: T, length: number): T {
  const next = new (array.constructor as new (length: number) => T)(length);
  next.set(array);
  return next;
}

/**
 * The record's address as a uint32 when the columns hold the record exactly, else -1. It runs for every lease the
 * book packs (under a flood of new clients, one per request): the time fields are read by name, not through a list
 * of names (a keyed load per field).
 */
function packableAddress(record: LeaseRecord): number {
  const { context, timers } = record;
  if (!STATE_INDEX.has(record.state) || !Array.isArray(timers) || timers.length > MAX_TIMERS || ownKeys(record) !== 3) return -1;
  if (!Number.isInteger(context.subnetId) || context.subnetId < 0 || context.subnetId > 0xffffffff) return -1;
  if (typeof context.ip !== 'string' || typeof context.clientKey !== 'string' || typeof context.hwAddress !== 'string') return -1;
  // The machine leaves `hostname: undefined` in a context when the client sent none: the same as no hostname (the
  // store's encodings treat it so), and built back without it.
  const hasHostname = Object.hasOwn(context, 'hostname');
  if (context.hostname !== undefined && typeof context.hostname !== 'string') return -1;
  if (typeof context.offerExpiresAt !== 'number' || typeof context.boundAt !== 'number' || typeof context.renewAt !== 'number'
    || typeof context.rebindAt !== 'number' || typeof context.expiresAt !== 'number' || typeof context.graceUntil !== 'number'
    || typeof context.probationUntil !== 'number' || typeof context.changedAt !== 'number') return -1;
  // Every known field is there with its type: as many own keys means no unknown one besides.
  if (ownKeys(context) !== REQUIRED_FIELDS + (hasHostname ? 1 : 0)) return -1;
  for (let i = 0; i < timers.length; i++) {
    const timer = timers[i]!;
    if (typeof timer.event !== 'string' || typeof timer.at !== 'number' || ownKeys(timer) !== 2) return -1;
  }
  return parseIpv4(context.ip);
}

/**
 * How many enumerable keys the object has, own or inherited: never fewer than its own, so a record with an unknown
 * own field is still refused (an inherited enumerable key, which plain objects do not have, would only keep the
 * record an object: refusing is always safe). A for-in loop over the object's cached key list, as fast as
 * Object.keys (20 against 22 ns for a record's three objects) without the array Object.keys copies: three per
 * packed lease, one lease packed per ACK. (With an own-property test per key it measured 4 to 6 times slower.) The
 * store's lease-value.ts counts the same way.
 */
function ownKeys(object: object): number {
  let count = 0;
  for (const _ in object) count++;
  return count;
}

/**
 * Checks what a table relies on (addresses unique, states, timer counts and event names in range, a client key and
 * a hardware address per lease) and gives each address's slot (lease i in slot i); throws a TypeError naming the
 * first problem: an image that passed its checksum may still come from a broken writer. Changes nothing, so it may
 * run in another thread than the one that adopts the columns.
 */
export function checkColumns(c: LeaseColumns): IntMultimap {
  const { count } = c;
  const sized = [c.ips, c.subnets, c.states, c.timerCounts, c.bases, c.clientKeys, c.hwTails];
  if (sized.some((column) => column.length !== count) || c.timerEvents.length !== count * MAX_TIMERS
    || c.offsets.length !== count * TIME_COLUMNS) throw new TypeError('lease columns of different lengths');
  c.clientKeys.check();
  // Distinct names also make a fresh thread's event ids the file's own, so fromColumns there changes no column.
  if (new Set(c.events).size !== c.events.length) throw new TypeError('timer event names repeat');
  const events = c.events.length;
  const slots = new IntMultimap(count);
  for (let i = 0; i < count; i++) {
    const ip = c.ips[i]! | 0;
    if (slots.first(ip) >= 0) throw new TypeError(`address ${intToIp(c.ips[i]!)} twice`);
    slots.add(ip, i);
    if (c.states[i]! >= LEASE_STATES.length) throw new TypeError(`lease ${i} has state ${c.states[i]}`);
    const timers = c.timerCounts[i]!;
    if (timers > MAX_TIMERS) throw new TypeError(`lease ${i} has ${timers} timers`);
    for (let t = 0; t < timers; t++) {
      if (c.timerEvents[i * MAX_TIMERS + t]! >= events) throw new TypeError(`lease ${i} has an unknown timer event`);
    }
    // A tail is shorter than its key (counted in bytes here: as many as code units for the usual ASCII key).
    const tail = c.hwTails[i]!;
    const keyBytes = c.clientKeys.ends[i]! - c.clientKeys.start(i);
    if (tail < 0 ? typeof c.hwStrings.get(i) !== 'string' : !(tail > 0 && tail < keyBytes)) {
      throw new TypeError(`lease ${i} has no valid hardware address`);
    }
  }
  for (const [i, times] of c.exact) {
    if (!(i >= 0 && i < count) || times.length < OFFSETS + c.timerCounts[i]!) throw new TypeError(`lease ${i} has no valid exact times`);
  }
  for (const i of c.hostnames.keys()) if (!(i >= 0 && i < count)) throw new TypeError(`hostname of lease ${i} out of range`);
  for (const i of c.hwStrings.keys()) if (!(i >= 0 && i < count)) throw new TypeError(`hardware address of lease ${i} out of range`);
  return slots;
}
