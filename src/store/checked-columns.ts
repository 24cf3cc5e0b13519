// A snapshot's columns checked and indexed by the thread that read the file (snapshot-prepare-worker.ts), while the
// main thread loads its modules and warms up: at 10^6 leases the checks and the slot index cost ~0.15 s, the
// committed memo's copy of that index ~0.1 s and the lease book's indexes ~0.35 s, none of it before serving now.
// Only arrays, so they move between threads without a copy.
import type { IntMultimapImage } from '../collections/int-multimap.js';
import { checkColumns, PackedLeases, type LeaseColumns } from '../lease-columns/packed-leases.js';
import { indexTable, type TableIndexes } from '../lease-columns/table-indexes.js';

export interface CheckedColumns {
  /** The table's slot index (address → lease i), from checkColumns. */
  readonly slots: IntMultimapImage;
  /** For a start only: the same index in arrays of its own, for the store's committed memo (which changes apart). */
  readonly memoSlots?: IntMultimapImage;
  /** For a start only: the lease book's. */
  readonly indexes?: TableIndexes;
}

/** Throws a TypeError when the columns do not hold a table (checkColumns). `forStart`: the indexes a start adopts too. */
export function checkAndIndex(columns: LeaseColumns, forStart: boolean): CheckedColumns {
  const slots = checkColumns(columns).image();
  if (!forStart) return { slots };
  const memoSlots = { keys: slots.keys.slice(), values: slots.values.slice(), used: slots.used.slice(), count: slots.count };
  // A view of the columns to walk; the checked slots spare it checking them again.
  const table = PackedLeases.fromColumns(columns, { slots });
  return { slots, memoSlots, indexes: indexTable(table) };
}

/** Every array the checked columns hold (each its own buffer): the list to transfer them with. */
export function buffersOf(checked: CheckedColumns): ArrayBuffer[] {
  const { slots, memoSlots, indexes } = checked;
  const images = [slots, ...(memoSlots === undefined ? [] : [memoSlots]), ...(indexes === undefined ? [] : [indexes.byClient])];
  const arrays = [
    ...images.flatMap((image) => [image.keys, image.values, image.used]),
    ...(indexes === undefined ? [] : [...indexes.parked.values(), indexes.unparked, indexes.offered]),
  ];
  return arrays.map((array) => array.buffer as ArrayBuffer);
}
