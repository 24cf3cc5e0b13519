// The start-up snapshot file of the LevelDB store: every stored lease in columns (lease-columns/packed-leases.ts)
// and its history range, tied to the store by its id and commit sequence. Replaced atomically (atomic-file.ts); a
// CRC-32 over everything after the fixed header catches a torn or damaged file anyway.
// Layout: magic (8 bytes) | header length (u32 LE) | CRC-32 (u32 LE) | header JSON | sections, each padded to 8 bytes.
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { KeyBlob } from '../lease-columns/key-column.js';
import { TIME_COLUMNS, type LeaseColumns } from '../lease-columns/packed-leases.js';
import { writeFileAtomically } from './atomic-file.js';
import { columnsOf } from '../lease-columns/columns-image.js';
import type { CheckedColumns } from './checked-snapshot.js';
import { readWhole, type ReadFile } from './snapshot-prefetch.js';
import { SNAPSHOT_CHECKED_FROM } from './snapshots.js';

const MAGIC = Buffer.from('ADLSNAP\u0001', 'latin1');
const FIXED = SNAPSHOT_CHECKED_FROM;
/** A header beyond this is not ours (it holds a few ids and the timer event names). */
const MAX_HEADER = 1 << 20;

export interface Snapshot {
  /** The store's id (its meta key): a snapshot of another store is never loaded. */
  readonly storeId: string;
  /** The store's commit sequence the snapshot is of: any later commit makes it stale. */
  readonly seq: number;
  /**
   * LevelDB's CURRENT file (the name of its MANIFEST) while the snapshot was written. Every open of the database
   * starts a new MANIFEST, so a different one at the next start means something else opened the store in between
   * (an older version that writes no sequence, a repair, a tool): the snapshot is then not trusted.
   */
  readonly fingerprint: string;
  readonly columns: LeaseColumns;
  /** Per lease: its history range's first and next (NaN, NaN when the value carries none). */
  readonly ranges: Float64Array;
  /**
   * The columns checked and indexed by the thread that read the file (a large one, snapshot-prefetch.ts). With
   * `checked.delta`, that thread applied the delta file's sections: the columns and ranges are of the state
   * `checked.delta.at`, the other fields still the file's.
   */
  readonly checked?: CheckedColumns;
}

/** Why a snapshot file was not loaded (the store then scans LevelDB). */
export class SnapshotUnusable extends Error {
  constructor(readonly reason: 'missing' | 'damaged' | 'foreign' | 'stale', message: string) {
    super(message);
  }
}

/**
 * The format this version writes and reads; a file of another one is not used (the store scans, then writes this one).
 * 3: the CRC-32 is of every byte after the fixed header. Format 2's restarted after an empty section (node's crc32
 * of a buffer over an empty ArrayBuffer returns 0), so it could not be checked in one pass over the file.
 */
const VERSION = 3;

interface Header {
  readonly version: number;
  readonly storeId: string;
  readonly seq: number;
  readonly fingerprint: string;
  readonly count: number;
  readonly events: readonly string[];
  /** Byte length of each section, in the order of SECTIONS. */
  readonly sections: readonly number[];
}

type Typed = Uint8Array | Uint32Array | Int32Array | Float64Array;
/** A typed array's constructor, used as a view over part of an ArrayBuffer. */
type TypedView<T extends Typed> = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; readonly BYTES_PER_ELEMENT: number };
/** Typed sections, read straight into their arrays; keyBytes is every client key in UTF-8, keyEnds where each ends. */
const NUMERIC = [
  'ips', 'subnets', 'states', 'timerCounts', 'timerEvents', 'bases', 'offsets', 'ranges', 'exactAt', 'exactTimes', 'hwTails',
  'keyEnds', 'keyBytes',
] as const;
/** JSON lists of [lease index, string]: the hardware addresses that are not a tail of their key (hwTails -1); hostnames. */
const TEXT = ['hwStrings', 'hostnames'] as const;
const pad8 = (n: number): number => (n + 7) & ~7;

/** Writes the snapshot atomically (temporary file, fsync, rename, directory fsync). */
export async function writeSnapshot(path: string, snapshot: Snapshot): Promise<void> {
  const { columns: c } = snapshot;
  const exactAt = new Uint32Array([...c.exact.keys()]);
  const exactTimes = new Float64Array(exactAt.length * TIME_COLUMNS);
  [...c.exact.values()].forEach((times, i) => exactTimes.set(times.subarray(0, TIME_COLUMNS), i * TIME_COLUMNS));
  const numeric: Record<(typeof NUMERIC)[number], Typed> = {
    ips: c.ips, subnets: c.subnets, states: c.states, timerCounts: c.timerCounts, timerEvents: c.timerEvents,
    bases: c.bases, offsets: c.offsets, ranges: snapshot.ranges, exactAt, exactTimes, hwTails: c.hwTails,
    keyEnds: c.clientKeys.ends, keyBytes: c.clientKeys.bytes,
  };
  const text: Record<(typeof TEXT)[number], Buffer> = {
    hwStrings: Buffer.from(JSON.stringify([...c.hwStrings])),
    hostnames: Buffer.from(JSON.stringify([...c.hostnames])),
  };
  const bodies: Buffer[] = [
    ...NUMERIC.map((name) => Buffer.from(numeric[name].buffer, numeric[name].byteOffset, numeric[name].byteLength)),
    ...TEXT.map((name) => text[name]),
  ];
  const header: Header = {
    version: VERSION, storeId: snapshot.storeId, seq: snapshot.seq, fingerprint: snapshot.fingerprint, count: c.count, events: c.events,
    sections: bodies.map((b) => b.length),
  };
  const headerBytes = Buffer.from(JSON.stringify(header));
  const chunks: Buffer[] = [padded(headerBytes)];
  for (const body of bodies) chunks.push(body, Buffer.alloc(pad8(body.length) - body.length));
  let crc = 0;
  for (const chunk of chunks) if (chunk.length > 0) crc = crc32(chunk, crc);
  const fixed = Buffer.alloc(FIXED);
  MAGIC.copy(fixed, 0);
  fixed.writeUInt32LE(headerBytes.length, 8);
  fixed.writeUInt32LE(crc, 12);

  await writeFileAtomically(path, [fixed, ...chunks]);
}

/** Reads and checks a snapshot file; throws SnapshotUnusable ('missing' or 'damaged'). Synchronous: start-up only. */
export function readSnapshot(path: string): Snapshot {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw unreadable(path, error);
  }
  return parseSnapshot(bytes, path);
}

/**
 * As readSnapshot, from the file's content read before (snapshot-prefetch.ts) or now, off the main thread when
 * large; `forStart`: checked and indexed there for a start (checked-columns.ts).
 */
export async function readSnapshotAsync(path: string, options: { readonly prefetched?: Promise<ReadFile>; readonly forStart?: boolean } = {}): Promise<Snapshot> {
  let read: ReadFile;
  try {
    read = await (options.prefetched ?? readWhole(path, FIXED, { forStart: options.forStart ?? false }));
  } catch (error) {
    // A missing file is just that; a reader that failed otherwise (no worker thread, say): read it here instead.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw unreadable(path, error);
    return readSnapshot(path);
  }
  const { checked } = read;
  // Its delta applied by the reading thread: the leases of that state (no file bytes came back).
  if (checked?.delta !== undefined) return { ...checked.delta.file, columns: columnsOf(checked.delta.columns), ranges: checked.delta.ranges, checked };
  const snapshot = parseSnapshot(read.bytes, path, read.crc);
  return checked === undefined ? snapshot : { ...snapshot, checked };
}

function unreadable(path: string, error: unknown): SnapshotUnusable {
  const code = (error as NodeJS.ErrnoException).code;
  return new SnapshotUnusable(code === 'ENOENT' ? 'missing' : 'damaged', `cannot read ${path}: ${String(error)}`);
}

/**
 * Checks a snapshot file's content and returns its columns as views into it (no copy: a typed section is used where
 * it lies, so its pages are touched once, by the read). `path` only names the file in errors.
 */
export function parseSnapshot(bytes: Buffer, path: string, bodyCrc?: number): Snapshot {
  try {
    // Every section starts at a multiple of 8 from the file's start: viewable in place when the buffer is aligned.
    if (bytes.byteOffset % 8 !== 0) return parse(Buffer.from(bytes));
    return parse(bytes, bodyCrc);
  } catch (error) {
    if (error instanceof SnapshotUnusable) throw error;
    throw new SnapshotUnusable('damaged', `snapshot ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** `bodyCrc`: the CRC-32 of the bytes after the fixed header when the reader computed it already. */
function parse(file: Buffer, bodyCrc?: number): Snapshot {
  if (file.length < FIXED || !file.subarray(0, 8).equals(MAGIC)) throw new SnapshotUnusable('damaged', 'not a lease snapshot (magic)');
  const headerLength = file.readUInt32LE(8);
  const expectedCrc = file.readUInt32LE(12);
  if (headerLength > MAX_HEADER || FIXED + pad8(headerLength) > file.length) throw new SnapshotUnusable('damaged', 'header too long');
  const header = JSON.parse(file.toString('utf8', FIXED, FIXED + headerLength)) as Header;
  if (header.version !== VERSION) throw new SnapshotUnusable('stale', `snapshot format ${String(header.version)}, this version reads ${VERSION}`);
  const sizes = header.sections;
  if (!Array.isArray(sizes) || sizes.length !== NUMERIC.length + TEXT.length
    || typeof header.storeId !== 'string' || typeof header.fingerprint !== 'string' || !Number.isSafeInteger(header.seq) || !Number.isSafeInteger(header.count)
    || !Array.isArray(header.events) || sizes.some((n) => !Number.isSafeInteger(n) || n < 0)
    || FIXED + pad8(headerLength) + sizes.reduce((sum, n) => sum + pad8(n), 0) !== file.length) {
    throw new SnapshotUnusable('damaged', 'header does not describe the file');
  }
  if ((bodyCrc ?? crc32(file.subarray(FIXED))) !== expectedCrc) throw new SnapshotUnusable('damaged', 'checksum mismatch');
  const n = header.count;
  let at = FIXED + pad8(headerLength);
  const typed = <T extends Typed>(make: TypedView<T>, length: number, i: number): T => {
    if (length * make.BYTES_PER_ELEMENT !== sizes[i]) throw new SnapshotUnusable('damaged', `section ${NUMERIC[i]} has ${sizes[i]} bytes`);
    const array = new make(file.buffer, file.byteOffset + at, length);
    at += pad8(sizes[i]!);
    return array;
  };
  const ips = typed(Uint32Array, n, 0);
  const subnets = typed(Uint32Array, n, 1);
  const states = typed(Uint8Array, n, 2);
  const timerCounts = typed(Uint8Array, n, 3);
  const timerEvents = typed(Uint8Array, sizes[4]!, 4);
  const bases = typed(Float64Array, n, 5);
  const offsets = typed(Int32Array, n * TIME_COLUMNS, 6);
  const ranges = typed(Float64Array, 2 * n, 7);
  const exactAt = typed(Uint32Array, sizes[8]! / 4, 8);
  const exactTimes = typed(Float64Array, exactAt.length * TIME_COLUMNS, 9);
  const hwTails = typed(Int32Array, n, 10);
  const keyEnds = typed(Uint32Array, n, 11);
  const keyBytes = typed(Uint8Array, sizes[12]!, 12);
  const text = TEXT.map((_, i) => {
    const size = sizes[NUMERIC.length + i]!;
    const json = file.toString('utf8', at, at + size);
    at += pad8(size);
    return JSON.parse(json) as unknown;
  });
  const [hwStrings, hostnames] = text;
  if (!Array.isArray(hwStrings) || !Array.isArray(hostnames)) throw new SnapshotUnusable('damaged', 'string sections are not lists');
  const exact = new Map<number, Float64Array>();
  exactAt.forEach((index, i) => exact.set(index, exactTimes.slice(i * TIME_COLUMNS, (i + 1) * TIME_COLUMNS)));
  return {
    storeId: header.storeId,
    seq: header.seq,
    fingerprint: header.fingerprint,
    ranges,
    columns: {
      count: n, events: header.events, ips, subnets, states, timerCounts, timerEvents, bases, offsets, exact,
      // fromColumns checks every entry.
      clientKeys: new KeyBlob(keyBytes, keyEnds), hwTails, hwStrings: new Map(hwStrings as [number, string][]),
      hostnames: new Map(hostnames as [number, string][]),
    },
  };
}

function padded(bytes: Buffer): Buffer {
  return Buffer.concat([bytes, Buffer.alloc(pad8(bytes.length) - bytes.length)]);
}
