// The free-address index: a bitmap of taken addresses per subnet, kept up to date by the lease book, so that a
// DISCOVER finds the next free address without probing every taken one, and one to an exhausted pool costs O(1).
// Same choice as the allocator's linear `nextFree` (next fit from the cursor, wrapping): the bitmap only skips
// addresses that are taken; every candidate still goes through `isFree` (reservations, the handlers' rules).
import type { Cursor } from '../allocator/allocator.js';
import { PoolBitmap } from '../allocator/pool-bitmap.js';
import { ipToInt } from '../codec/index.js';
import type { Subnet } from '../config/types.js';
import type { LeaseBook } from '../leases/lease-book.js';
import { isFinal } from '../leases/states.js';
import type { LeaseRecord } from '../../machines/lease.types.js';

/** Due timers applied before a search: enough for normal traffic; a larger backlog (after a restart) is the
 * schedule's to work off in slices, and an address it frees shows up a moment later. */
const SETTLE_LIMIT = 256;

export class FreeAddresses {
  private readonly bitmaps = new Map<number, PoolBitmap>();
  /** Lives as long as the book: it follows the book's changes from its creation on. */
  constructor(private readonly book: LeaseBook) {
    book.onTakenChange((record, taken) => this.track(record, taken));
  }

  /** The next address at or after the cursor that `isFree` accepts, or undefined when none is left. */
  nextFree(subnet: Subnet, isFree: (ip: number) => boolean, cursor: Cursor): number | undefined {
    this.book.settleDue(SETTLE_LIMIT);
    const bitmap = this.bitmapFor(subnet);
    const size = bitmap.size;
    if (size === 0) return undefined;
    let offset = ((cursor.next % size) + size) % size;
    // Each round either returns or skips past one free-marked address that `isFree` refused (reserved for
    // another client, say): at most one pass over the pool.
    for (let examined = 0; examined < size; ) {
      const found = bitmap.nextFree(offset);
      if (found < 0) return undefined;
      examined += found >= offset ? found - offset + 1 : size - offset + found + 1;
      offset = found + 1 === size ? 0 : found + 1;
      const ip = bitmap.addressAt(found);
      if (isFree(ip)) {
        cursor.next = offset;
        return ip;
      }
    }
    return undefined;
  }

  /** Built from the book on first use and again when the subnet's pools change (a reload). */
  private bitmapFor(subnet: Subnet): PoolBitmap {
    const existing = this.bitmaps.get(subnet.id);
    if (existing !== undefined && existing.pools === subnet.pools) return existing;
    const bitmap = new PoolBitmap(subnet.pools);
    // Stored states, as the book reports changes: a lease whose expiry is due but not yet applied counts as taken
    // until its timer fires (and tells `track`).
    this.book.forEachLease((ip, subnetId, state) => {
      if (subnetId !== subnet.id || isFinal(state)) return;
      const offset = bitmap.offsetOf(ip);
      if (offset >= 0) bitmap.mark(offset, true);
    });
    this.bitmaps.set(subnet.id, bitmap);
    return bitmap;
  }

  private track(record: LeaseRecord, taken: boolean): void {
    const bitmap = this.bitmaps.get(record.context.subnetId);
    if (bitmap === undefined) return;
    const offset = bitmap.offsetOf(ipToInt(record.context.ip));
    if (offset >= 0) bitmap.mark(offset, taken);
  }
}
