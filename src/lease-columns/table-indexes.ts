// The lease book's indexes of a table loaded whole: by client, the timers parked by minute, the offers. At 10^6
// leases building them costs ~0.35 s of a core; computed in the thread that read and checked the snapshot
// (store/snapshot-prepare-worker.ts), they are built while the main thread loads its modules and warms up, and the
// book adopts them (LeaseBook.loadPacked) instead of walking the table before it serves.
import { IntMultimap, type IntMultimapImage } from '../collections/int-multimap.js';
import type { LeaseState } from '../../machines/lease.types.js';

/** The width of a lease timer bucket (leases/timer-buckets.ts): timers due far ahead wait by the minute. */
export const TIMER_BUCKET_MS = 60_000;

export const timerBucketOf = (at: number): number => Math.floor(at / TIMER_BUCKET_MS);

export interface TableIndexes {
  /** clientHash (of subnet and client key) → address. */
  readonly byClient: IntMultimapImage;
  /** Per timer bucket (timerBucketOf), the addresses whose earliest timer falls in it. */
  readonly parked: ReadonlyMap<number, Uint32Array>;
  /** The addresses with a timer that is not finite: the book schedules those precisely. */
  readonly unparked: Uint32Array;
  /** The addresses held as offers. */
  readonly offered: Uint32Array;
}

/** What indexTable reads of a table (PackedLeases). */
export interface IndexableTable {
  readonly size: number;
  forEachIndexed(fn: (ip: number, clientHash: number, state: LeaseState, earliestTimer: number) => void): void;
}

/** What LeaseBook.loadPacked would build from the table, in arrays a thread can hand to another. */
export function indexTable(table: IndexableTable): TableIndexes {
  const byClient = new IntMultimap(table.size);
  const ips = new Uint32Array(table.size);
  const earliest = new Float64Array(table.size);
  const offered: number[] = [];
  const unparked: number[] = [];
  let n = 0;
  table.forEachIndexed((ip, clientHash, state, first) => {
    byClient.add(clientHash, ip);
    if (state === 'offered') offered.push(ip);
    if (Number.isNaN(first)) unparked.push(ip);
    ips[n] = ip;
    earliest[n++] = first;
  });
  return { byClient: byClient.image(), parked: parkedByBucket(ips, earliest, n), unparked: Uint32Array.from(unparked), offered: Uint32Array.from(offered) };
}

/** The addresses with a finite earliest timer, by its bucket: counted first, so each bucket is one exact array. */
function parkedByBucket(ips: Uint32Array, earliest: Float64Array, n: number): Map<number, Uint32Array> {
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(earliest[i]!)) continue;
    const bucket = timerBucketOf(earliest[i]!);
    counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
  }
  const parked = new Map<number, Uint32Array>();
  const filled = new Map<number, number>();
  for (const [bucket, count] of counts) {
    parked.set(bucket, new Uint32Array(count));
    filled.set(bucket, 0);
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(earliest[i]!)) continue;
    const bucket = timerBucketOf(earliest[i]!);
    const at = filled.get(bucket)!;
    parked.get(bucket)![at] = ips[i]!;
    filled.set(bucket, at + 1);
  }
  return parked;
}
