// The LevelDB store's side of start-up snapshots: its identity and commit sequence (the "meta" sublevel, the sequence
// written in every commit batch), building a snapshot at a clean close (from the one loaded at start and the leases
// written since, or else from every stored lease), and checking one at start-up against the store it is for.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AbstractPutOptions, AbstractSublevel } from 'abstract-level';
import { intToIp } from '../codec/index.js';
import { PackedLeases, type LeaseColumns } from '../lease-columns/packed-leases.js';
import type { LevelDatabase } from './level-database.js';
import { LOAD_CHUNK, LOAD_OPTIONS } from './level-read-options.js';
import type { LeaseValue } from './lease-value.js';
import { addressKey } from './keys.js';
import { readSnapshot, readSnapshotAsync, SnapshotUnusable, writeSnapshot, type Snapshot } from './snapshot-file.js';
import { takePrefetched } from './snapshot-prefetch.js';
import type { SnapshotJournal } from './snapshot-journal.js';
import type { SnapshotLoad } from './snapshots.js';

type Sublevel<V> = AbstractSublevel<LevelDatabase, string | Buffer | Uint8Array, string, V>;

export const SEQ_KEY = 'seq';
const ID_KEY = 'id';
/** classic-level reads `sync` from the put options; the type does not declare it. */
const SYNCED = { sync: true } as AbstractPutOptions<string, string>;

export interface StoreMeta {
  readonly id: string;
  readonly seq: number;
}

/** The database's CURRENT file ('' without one, as in memory): see Snapshot.fingerprint. Read before it is opened. */
export function databaseFingerprint(location: string): string {
  try {
    return readFileSync(join(location, 'CURRENT'), 'utf8');
  } catch {
    return '';
  }
}

/** The store's id (created on first open) and the sequence of its last commit (0 before any). */
export async function readMeta(meta: Sublevel<string>): Promise<StoreMeta> {
  let id = await meta.get(ID_KEY);
  if (id === undefined) {
    id = randomUUID();
    await meta.put(ID_KEY, id, SYNCED);
  }
  const seq = Number(await meta.get(SEQ_KEY) ?? 0);
  return { id, seq: Number.isSafeInteger(seq) && seq >= 0 ? seq : 0 };
}

/** The snapshot at `path` when it is exactly this store's content, else why not. */
export async function loadSnapshotFile(path: string, meta: StoreMeta, fingerprint: string): Promise<SnapshotLoad & { stored?: { columns: LeaseColumns; ranges: Float64Array } }> {
  try {
    // Read in the background since the daemon's start when it was prefetched (snapshot-prefetch.ts).
    const snapshot = await readSnapshotAsync(path, takePrefetched(path));
    if (snapshot.storeId !== meta.id) throw new SnapshotUnusable('foreign', `snapshot of store ${snapshot.storeId}, not ${meta.id}`);
    if (snapshot.seq !== meta.seq) throw new SnapshotUnusable('stale', `snapshot at commit ${snapshot.seq}, store at ${meta.seq}`);
    if (snapshot.fingerprint !== fingerprint) throw new SnapshotUnusable('stale', 'the store was opened by something else since the snapshot');
    let leases: PackedLeases;
    try {
      leases = PackedLeases.fromColumns(snapshot.columns);
    } catch (error) {
      throw new SnapshotUnusable('damaged', `snapshot columns: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { ok: true, leases, seq: snapshot.seq, stored: { columns: snapshot.columns, ranges: snapshot.ranges } };
  } catch (error) {
    if (error instanceof SnapshotUnusable) return { ok: false, reason: error.reason, detail: error.message };
    return { ok: false, reason: 'damaged', detail: String(error) };
  }
}

/**
 * Writes a snapshot of every stored lease at `seq` (nothing may commit meanwhile: the store is closing). False when
 * a stored record does not pack exactly: the store then has no valid snapshot and scans at the next start.
 */
export async function saveSnapshotFile(
  path: string,
  meta: StoreMeta,
  fingerprint: string,
  leases: Sublevel<Uint8Array>,
  decode: (key: string, value: Uint8Array) => LeaseValue | undefined,
): Promise<boolean> {
  const table = new PackedLeases();
  let ranges = new Float64Array(2 * 1024);
  let count = 0;
  const iterator = leases.iterator(LOAD_OPTIONS);
  try {
    for (let entries = await iterator.nextv(LOAD_CHUNK); entries.length > 0; entries = await iterator.nextv(LOAD_CHUNK)) {
      for (const [key, value] of entries) {
        const decoded = decode(key, value);
        if (decoded === undefined) continue; // skipped by a scan too
        if (!table.pack(decoded.record)) return false;
        if (2 * count + 2 > ranges.length) {
          const grown = new Float64Array(ranges.length * 2);
          grown.set(ranges);
          ranges = grown;
        }
        const history = decoded.history;
        ranges[2 * count] = history?.first ?? Number.NaN;
        ranges[2 * count + 1] = history?.next ?? Number.NaN;
        count++;
      }
    }
  } finally {
    await iterator.close().catch(() => undefined);
  }
  // A table only packed into holds its leases in packing order, so column i is the i-th lease packed.
  const columns = table.image();
  await writeSnapshot(path, { storeId: meta.id, seq: meta.seq, fingerprint, columns, ranges: ranges.subarray(0, 2 * count) });
  return true;
}

/** How a snapshot from the start-up one went: written, or why the caller must build it from every stored lease. */
export type BaseSave = 'written' | 'no-base' | 'unpackable';

/**
 * Writes a snapshot at `meta.seq` from the one this store loaded at start (read again from `path`) with every
 * address written since (`journal`) read again from the database: no scan of every lease. 'no-base' when the file
 * is no longer that snapshot, 'unpackable' when a stored record does not pack; nothing is written then.
 */
export async function saveSnapshotFromBase(
  path: string,
  meta: StoreMeta,
  fingerprint: string,
  journal: SnapshotJournal,
  leases: Sublevel<Uint8Array>,
  decode: (key: string, value: Uint8Array) => LeaseValue | undefined,
): Promise<BaseSave> {
  let base: Snapshot;
  let table: PackedLeases;
  try {
    base = readSnapshot(path);
    if (base.storeId !== meta.id || base.seq !== journal.seq || base.fingerprint !== journal.fingerprint) return 'no-base';
    table = PackedLeases.fromColumns(base.columns);
  } catch {
    return 'no-base';
  }
  // By slot: a table loaded whole has lease i in slot i; slots added later get theirs as they are packed.
  let ranges = base.ranges;
  const written = journal.addresses();
  for (let at = 0; at < written.length; at += LOAD_CHUNK) {
    const ips = written.slice(at, at + LOAD_CHUNK);
    const keys = ips.map((ip) => addressKey(intToIp(ip)));
    const values = await leases.getMany(keys);
    for (let i = 0; i < ips.length; i++) {
      const value = values[i];
      const decoded = value === undefined ? undefined : decode(keys[i]!, value);
      // Deleted, or a value that does not decode: a scan skips it too.
      if (decoded === undefined) {
        table.delete(ips[i]!);
        continue;
      }
      // A value under another address's key (a damaged store) is left to the scan, which packs what it holds.
      if (decoded.record.context.ip !== intToIp(ips[i]!) || !table.pack(decoded.record)) return 'unpackable';
      const slot = table.slotOf(ips[i]!);
      if (2 * slot + 2 > ranges.length) {
        const grown = new Float64Array(Math.max(2 * slot + 2, ranges.length * 2));
        grown.set(ranges);
        ranges = grown;
      }
      ranges[2 * slot] = decoded.history?.first ?? Number.NaN;
      ranges[2 * slot + 1] = decoded.history?.next ?? Number.NaN;
    }
  }
  const runs = table.liveRuns();
  const columns = table.image();
  const liveRanges = new Float64Array(2 * columns.count);
  for (let r = 0, i = 0; r < runs.length; r += 2) {
    liveRanges.set(ranges.subarray(2 * runs[r]!, 2 * runs[r + 1]!), 2 * i);
    i += runs[r + 1]! - runs[r]!;
  }
  await writeSnapshot(path, { storeId: meta.id, seq: meta.seq, fingerprint, columns, ranges: liveRanges });
  return 'written';
}
