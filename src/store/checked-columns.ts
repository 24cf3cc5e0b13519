// A snapshot's columns checked and indexed by the thread that read the file (snapshot-prepare-worker.ts), while the
// main thread loads its modules and warms up: at 10^6 leases the checks and the slot index cost ~0.15 s, the
// committed memo's copy of that index ~0.1 s and the lease book's indexes ~0.35 s, and applying a delta file's
// sections ~2.5 µs an entry (0.2 s for 80,000), none of it before serving now. Only arrays and plain data, so they
// move between threads without a copy.
import type { IntMultimapImage } from '../collections/int-multimap.js';
import { imageOf } from '../lease-columns/columns-image.js';
import { checkColumns, PackedLeases, type LeaseColumns } from '../lease-columns/packed-leases.js';
import { indexTable } from '../lease-columns/table-indexes.js';
import type { AppliedDelta, CheckedColumns } from './checked-snapshot.js';
import { deltaPathOf, readDeltaChain, type DeltaChain } from './snapshot-delta.js';
import { parseSnapshot, type Snapshot } from './snapshot-file.js';
import { applyChanges } from './snapshot-merge.js';

/**
 * What the thread that read a snapshot file works out of it: its columns checked (slots), and for a start its
 * delta file's sections applied and the indexes the start adopts. Undefined when the file does not parse, or its
 * columns are not a table (the store's own load then says why). Throws when a delta section does not apply: by then
 * the file's columns were changed in place, so the caller must drop the bytes (the store reads the file again).
 */
export function checkFile(bytes: Buffer, path: string, crc: number, forStart: boolean): CheckedColumns | undefined {
  let snapshot: Snapshot;
  let chain: DeltaChain;
  let base: CheckedColumns;
  try {
    snapshot = parseSnapshot(bytes, path, crc);
    if (!forStart) return checkAndIndex(snapshot.columns, false);
    chain = readDeltaChain(deltaPathOf(path), snapshot.storeId, snapshot);
    if (chain.sections.length === 0) return checkAndIndex(snapshot.columns, true);
    base = checkAndIndex(snapshot.columns, false);
  } catch {
    return undefined;
  }
  const table = PackedLeases.fromColumns(snapshot.columns, base);
  // Copies: the file's buffer then stays behind with this thread (views would keep all of it alive in the daemon,
  // its ranges section and the keys the delta replaced too: ~45 MB more at ready at 10^6 leases).
  const applied = applyChanges(table, snapshot.ranges, chain.sections.map((section) => section.changes), 'copy');
  if (applied === 'unpackable') throw new Error('a lease the delta file holds does not pack');
  // Packed here, so checked by construction: its own slot index serves when it is the columns' order.
  const slots = table.slotImage();
  const checked = slots === undefined ? checkAndIndex(applied.columns, true) : startIndexes(table, slots);
  const delta: AppliedDelta = {
    file: { storeId: snapshot.storeId, seq: snapshot.seq, fingerprint: snapshot.fingerprint },
    columns: imageOf(applied.columns),
    ranges: applied.ranges, at: chain.at, entries: chain.entries, length: chain.length,
  };
  return { ...checked, delta };
}

/** Throws a TypeError when the columns do not hold a table (checkColumns). `forStart`: the indexes a start adopts too. */
export function checkAndIndex(columns: LeaseColumns, forStart: boolean): CheckedColumns {
  const slots = checkColumns(columns).image();
  // A view of the columns to walk; the checked slots spare it checking them again.
  return forStart ? startIndexes(PackedLeases.fromColumns(columns, { slots }), slots) : { slots };
}

/** What a start adopts of a table whose address → lease index is `slots`. */
function startIndexes(table: PackedLeases, slots: IntMultimapImage): CheckedColumns {
  const memoSlots = { keys: slots.keys.slice(), values: slots.values.slice(), used: slots.used.slice(), count: slots.count };
  return { slots, memoSlots, indexes: indexTable(table) };
}

/** The buffers of every array the checked columns hold: the list to transfer them with. */
export function buffersOf(checked: CheckedColumns): ArrayBuffer[] {
  const { slots, memoSlots, indexes, delta } = checked;
  const images = [slots, ...(memoSlots === undefined ? [] : [memoSlots]), ...(indexes === undefined ? [] : [indexes.byClient])];
  const arrays: ArrayBufferView[] = [
    ...images.flatMap((image) => [image.keys, image.values, image.used]),
    ...(indexes === undefined ? [] : [...indexes.parked.values(), indexes.unparked, indexes.offered]),
  ];
  if (delta !== undefined) {
    const c = delta.columns;
    arrays.push(c.ips, c.subnets, c.states, c.timerCounts, c.timerEvents, c.bases, c.offsets, c.hwTails, c.keyBytes, c.keyEnds, delta.ranges);
  }
  return [...new Set(arrays.map((array) => array.buffer as ArrayBuffer))];
}
