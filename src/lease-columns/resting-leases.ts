// The lease book's packed leases, in two tables: the one loaded whole at start (a snapshot of up to 10^6 leases,
// its columns views of the file) and one for the addresses leased since. The loaded table is never grown: growing
// it copies every column of every lease into arrays twice the size (~0.4 s at 10^6, page faults mostly), which
// happened on the packet path at the first new lease that went to rest (the first lease bound after the start).
// New addresses take the loaded table's freed slots first, then the other table, which grows from small.
import type { LeaseRecord, LeaseState, LeaseTimer } from '../../machines/lease.types.js';
import { parseIpv4 } from '../codec/index.js';
import { PackedLeases, type LeaseSummaryFn } from './packed-leases.js';

export class RestingLeases {
  private loaded = new PackedLeases();
  private readonly added = new PackedLeases();

  get size(): number {
    return this.loaded.size + this.added.size;
  }

  /** The packed lease as a record (a new object on each call). */
  get(ip: number): LeaseRecord | undefined {
    return (this.loaded.size === 0 ? undefined : this.loaded.get(ip)) ?? this.added.get(ip);
  }

  /** Packs the record in place of its address's packed one; false (and nothing changed) when it does not fit. */
  pack(record: LeaseRecord): boolean {
    return this.tableFor(record).pack(record);
  }

  timersOf(ip: number): LeaseTimer[] | undefined {
    return (this.loaded.size === 0 ? undefined : this.loaded.timersOf(ip)) ?? this.added.timersOf(ip);
  }

  hasTimer(ip: number, event: string, at: number): boolean {
    return (this.loaded.size > 0 && this.loaded.hasTimer(ip, event, at)) || this.added.hasTimer(ip, event, at);
  }

  delete(ip: number): void {
    if (this.loaded.size > 0) this.loaded.delete(ip);
    this.added.delete(ip);
  }

  *records(): Generator<LeaseRecord> {
    yield* this.loaded.records();
    yield* this.added.records();
  }

  forEach(fn: LeaseSummaryFn): void {
    this.loaded.forEach(fn);
    this.added.forEach(fn);
  }

  forEachIndexed(fn: (ip: number, clientHash: number, state: LeaseState, earliestTimer: number) => void): void {
    this.loaded.forEachIndexed(fn);
    this.added.forEachIndexed(fn);
  }

  /** Takes a table loaded whole over (this one must be empty). */
  load(table: PackedLeases): void {
    if (this.size > 0) throw new TypeError('load() into a table that holds leases');
    this.loaded = table;
  }

  /** Where the record's address is, or goes: an address in neither takes a free slot of the loaded table if any. */
  private tableFor(record: LeaseRecord): PackedLeases {
    if (this.loaded.size === 0 && !this.loaded.hasRoom()) return this.added;
    const ip = parseIpv4(record.context.ip);
    if (ip < 0 || this.loaded.has(ip)) return this.loaded;
    return this.added.has(ip) || !this.loaded.hasRoom() ? this.added : this.loaded;
  }
}
