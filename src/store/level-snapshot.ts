// The LevelDB store's side of start-up snapshots: its identity and commit sequence (the "meta" sublevel, the sequence
// written in every commit batch), building a snapshot at a clean close (from the one loaded at start and the leases
// written since, or else from every stored lease), and checking one at start-up against the store it is for.
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AbstractPutOptions, AbstractSublevel } from 'abstract-level';
import type { IntMultimapImage } from '../collections/int-multimap.js';
import { PackedLeases, type LeaseColumns } from '../lease-columns/packed-leases.js';
import type { LevelDatabase } from './level-database.js';
import { LOAD_CHUNK, LOAD_OPTIONS } from './level-read-options.js';
import type { HistoryRange, LeaseValue } from './lease-value.js';
import { uint32Key } from './keys.js';
import { JournalFile, readJournal } from './journal-file.js';
import { readSnapshotAsync, SnapshotUnusable, writeSnapshot } from './snapshot-file.js';
import { applyChangeList, packChanges, type Changes, type ValueDecoder } from './snapshot-changes.js';
import { deltaPathOf, readDeltaChain, sameIdentity, type SnapshotIdentity } from './snapshot-delta.js';
import { mergeSnapshot, type BaseSave } from './snapshot-merge.js';
import { takePrefetched } from './snapshot-prefetch.js';
import type { CapturedValues } from './captured-values.js';
import type { SnapshotJournal } from './snapshot-journal.js';
import type { SnapshotLoad } from './snapshots.js';

export type { BaseSave };

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

/** Where a start-up snapshot and its commit journal are, and how to read the leases the journal names again. */
export interface SnapshotFiles {
  readonly path: string;
  readonly deltaPath: string;
  readonly journalPath: string;
  readonly leases: Sublevel<Uint8Array>;
  readonly decode: (key: string, value: Uint8Array) => LeaseValue | undefined;
}

export interface SnapshotLoaded {
  readonly ok: true;
  readonly leases: PackedLeases;
  /** The store's sequence the leases are at. */
  readonly seq: number;
  /**
   * The snapshot file's own columns and history ranges (before its delta and any replay; after its delta when the
   * reading thread applied it, checked-columns.ts), and their slot index when that thread built it.
   */
  readonly stored: { readonly columns: LeaseColumns; readonly ranges: Float64Array; readonly slots?: IntMultimapImage };
  /** The state loaded before any replay: the snapshot's, or its delta file's last section's. */
  readonly base: SnapshotIdentity;
  /**
   * How many addresses the delta file's sections named (repeats counted), what each holds after them (none when the
   * reading thread applied them: their ranges are in `stored`), and the file's length up to its last section that
   * applies (undefined: none did).
   */
  readonly delta: { readonly entries: number; readonly length: number | undefined; readonly values: Map<number, HistoryRange | null> };
  /** After a start from the snapshot and its journal: the addresses read again and what they hold now (null: none). */
  readonly replayed?: { readonly addresses: number[]; readonly values: Map<number, HistoryRange | null> };
}

/**
 * The stored leases from the snapshot when it is exactly this store's content (a clean stop), or when it, its delta
 * file's sections and its journal account for every commit since (a kill -9): then the sections are applied and the
 * addresses the journal names are read again. Else why not.
 */
export async function loadSnapshotFile(files: SnapshotFiles, meta: StoreMeta, fingerprint: string): Promise<SnapshotLoaded | Extract<SnapshotLoad, { ok: false }>> {
  try {
    // Read in the background since the daemon's start when it was prefetched (snapshot-prefetch.ts).
    const prefetched = takePrefetched(files.path);
    const reading = readSnapshotAsync(files.path, { ...(prefetched === undefined ? {} : { prefetched }), forStart: true });
    // While the snapshot is still being read and checked: the journals' addresses read back from LevelDB already.
    const journals = journalsOf(files, meta, fingerprint);
    const snapshot = await reading;
    if (snapshot.storeId !== meta.id) throw new SnapshotUnusable('foreign', `snapshot of store ${snapshot.storeId}, not ${meta.id}`);
    // Applied already when the reading thread did (checked-columns.ts): the snapshot holds that state's leases.
    const applied = snapshot.checked?.delta;
    const chain = applied === undefined ? readDeltaChain(files.deltaPath, meta.id, snapshot) : { ...applied, sections: [] };
    const base = chain.at;
    const clean = sameIdentity(base, { seq: meta.seq, fingerprint });
    const journalled = clean ? undefined : journals.find((journal) => journal.baseSeq === base.seq && journal.baseFingerprint === base.fingerprint);
    if (!clean && journalled === undefined) {
      if (base.seq !== meta.seq) throw new SnapshotUnusable('stale', `snapshot at commit ${base.seq}, store at ${meta.seq}`);
      throw new SnapshotUnusable('stale', 'the store was opened by something else since the snapshot');
    }
    let leases: PackedLeases;
    try {
      leases = PackedLeases.fromColumns(snapshot.columns, snapshot.checked);
    } catch (error) {
      throw new SnapshotUnusable('damaged', `snapshot columns: ${error instanceof Error ? error.message : String(error)}`);
    }
    const delta = { entries: chain.entries, length: chain.length, values: new Map<number, HistoryRange | null>() };
    for (const { changes } of chain.sections) {
      if (!applyChangeList(leases, changes, rangesInto(delta.values))) {
        throw new SnapshotUnusable('stale', 'a lease the delta file holds does not pack: scanning');
      }
    }
    const loaded = {
      ok: true as const, leases, seq: meta.seq, base, delta,
      stored: { columns: snapshot.columns, ranges: snapshot.ranges, ...(snapshot.checked?.memoSlots === undefined ? {} : { slots: snapshot.checked.memoSlots }) },
    };
    if (journalled === undefined) return loaded;
    const values = new Map<number, HistoryRange | null>();
    const replay = replayed(journalled.addresses, await journalled.values, files, leases, rangesInto(values));
    if (!replay) throw new SnapshotUnusable('stale', 'a lease the journal names does not pack: scanning');
    return { ...loaded, replayed: { addresses: journalled.addresses, values } };
  } catch (error) {
    if (error instanceof SnapshotUnusable) return { ok: false, reason: error.reason, detail: error.message };
    return { ok: false, reason: 'damaged', detail: String(error) };
  }
}

/** A commit journal that may apply to the snapshot: the state it follows, its distinct addresses, their values. */
interface JournalCandidate {
  readonly baseSeq: number;
  readonly baseFingerprint: string;
  readonly addresses: number[];
  /** The addresses' stored values (undefined: none), read again from LevelDB from the moment it was found. */
  readonly values: Promise<(Uint8Array | undefined)[]>;
}

/**
 * The journals that account for every commit up to the store's sequence (or one further: a commit journalled whose
 * batch a kill stopped), written by the last session that opened the store: the one that applies is the one whose
 * base is the snapshot's state, known once the snapshot is read. The next journal is the one that applies when a kill
 * came between a checkpoint's snapshot and its journal's move. Their addresses are read back at once: nothing writes
 * the store before its load is done, and a start after a crash then reads LevelDB while the snapshot is checked.
 */
function journalsOf(files: Pick<SnapshotFiles, 'journalPath' | 'leases'>, meta: StoreMeta, fingerprint: string): JournalCandidate[] {
  const candidates: JournalCandidate[] = [];
  for (const path of [files.journalPath, nextJournalPathOf(files.journalPath)]) {
    const journal = readJournal(path);
    if (journal === undefined) continue;
    const { header } = journal;
    if (header.storeId !== meta.id || header.session !== fingerprint || journal.upTo === undefined || journal.upTo < meta.seq) continue;
    const addresses = [...new Set(journal.addresses)];
    const values = readValues(addresses, files.leases);
    values.catch(() => undefined); // reported where it is awaited: by the load that uses this journal
    candidates.push({ baseSeq: header.baseSeq, baseFingerprint: header.baseFingerprint, addresses, values });
  }
  return candidates;
}

/** The stored values of the addresses, in their order, read in chunks. */
async function readValues(ips: readonly number[], leases: Sublevel<Uint8Array>): Promise<(Uint8Array | undefined)[]> {
  const values: (Uint8Array | undefined)[] = [];
  for (let at = 0; at < ips.length; at += LOAD_CHUNK) {
    values.push(...await leases.getMany(ips.slice(at, at + LOAD_CHUNK).map((ip) => uint32Key(ip))));
  }
  return values;
}

/** What an address holds after a load applied its value: its history range (a NaN first: none), or null when deleted. */
function rangesInto(values: Map<number, HistoryRange | null>): (ip: number, range: Float64Array | null) => void {
  return (ip, range) => void values.set(ip, range === null ? null : { first: range[0]!, next: range[1]! });
}

/**
 * Applies each address's value read again to the leases (undefined: deleted, as is a value that does not decode or
 * is another address's, which `files.decode` reports: a scan skips it too) and tells `each`. False when a lease does
 * not pack.
 */
function replayed(
  ips: readonly number[],
  values: readonly (Uint8Array | undefined)[],
  files: Pick<SnapshotFiles, 'decode'>,
  leases: PackedLeases,
  each: (ip: number, range: Float64Array | null) => void,
): boolean {
  const decode: ValueDecoder = (ip, value) => (value === undefined ? undefined : files.decode(uint32Key(ip), value));
  return applyChangeList(leases, packChanges(Uint32Array.from(ips), values), each, decode);
}

/** The commit journal beside a snapshot file. */
export function journalPathOf(snapshotPath: string): string {
  return `${snapshotPath}.journal`;
}

/** The journal a checkpoint in progress writes, for the snapshot it is writing (checkpoint.ts). */
export function nextJournalPathOf(journalPath: string): string {
  return `${journalPath}.next`;
}

/**
 * After a start from the snapshot: a new commit journal for it, holding what a replay read again and naming this
 * session (the database's CURRENT now that it is open). Undefined, logged, when it cannot be written: a kill -9 then
 * means a scan at the next start, nothing worse.
 */
export function startJournal(path: string, meta: StoreMeta, loaded: SnapshotLoaded, session: string, logger?: { warn(obj: object, msg?: string): void }): JournalFile | undefined {
  try {
    const header = { storeId: meta.id, baseSeq: loaded.base.seq, baseFingerprint: loaded.base.fingerprint, session };
    const journal = JournalFile.start(path, header, loaded.replayed?.addresses ?? [], loaded.seq);
    // A checkpoint's journal the replay used (or one that no longer applies): this one replaces it.
    rmSync(nextJournalPathOf(path), { force: true });
    return journal;
  } catch (error) {
    logger?.warn({ evt: 'store.journal.failed', err: error }, 'commit journal not written: a start after a crash scans the store');
    return undefined;
  }
}

/** Removes the commit journal (closing it first when open): the snapshot it applied to was replaced. */
export function discardJournal(open: JournalFile | undefined, path: string): void {
  if (open !== undefined) open.discard();
  else rmSync(path, { force: true });
  rmSync(nextJournalPathOf(path), { force: true });
}

/** Removes the delta file beside the snapshot: it was written against the snapshot just replaced (no start uses it). */
export function discardDelta(snapshotPath: string): void {
  rmSync(deltaPathOf(snapshotPath), { force: true });
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

/**
 * Writes a snapshot at `meta.seq` from the one in place (read again from `path`), its delta file's sections and
 * every address written since the last of them (`journal`) read again from the database: no scan of every lease.
 * 'no-base' when the files no longer lead to the journal's state, 'unpackable' when a stored record does not pack;
 * nothing is written then.
 */
export async function saveSnapshotFromBase(
  path: string,
  meta: StoreMeta,
  fingerprint: string,
  journal: Pick<SnapshotJournal, 'seq' | 'fingerprint' | 'addresses'>,
  leases: Sublevel<Uint8Array>,
): Promise<BaseSave> {
  const changes = await readChanges(Uint32Array.from(journal.addresses()), leases);
  const base = { seq: journal.seq, fingerprint: journal.fingerprint };
  return mergeSnapshot({ path, deltaPath: deltaPathOf(path), storeId: meta.id, seq: meta.seq, fingerprint, base }, changes);
}

/** The stored values of the addresses: as `known` holds them (captured-values.ts), the others read in chunks. */
export async function readChanges(ips: Uint32Array, leases: Sublevel<Uint8Array>, known?: CapturedValues): Promise<Changes> {
  const values: (Uint8Array | undefined)[] = new Array(ips.length);
  const unknown: number[] = [];
  ips.forEach((ip, i) => {
    const value = known?.valueOf(ip);
    if (value === undefined) unknown.push(i);
    else values[i] = value ?? undefined;
  });
  const read = await readValues(unknown.map((i) => ips[i]!), leases);
  unknown.forEach((i, n) => (values[i] = read[n]));
  return packChanges(ips, values);
}
