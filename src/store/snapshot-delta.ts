// The delta file beside the start-up snapshot: what the checkpoints since that snapshot was written would have
// changed in it, so that a checkpoint need not rewrite the whole snapshot (~0.8 s of a core at 10^6 leases, however
// few addresses changed). Each checkpoint adds one section: the current values of the addresses the commit journal
// named since the previous one, tied by identities to the snapshot state it follows and to the one it makes. A start
// applies the sections in order, from the snapshot's own identity on, and then replays the commit journal of the
// last one. Only once the sections name a set share of the stored leases does a checkpoint merge them (and the
// journal's addresses) into a new snapshot, and this file goes (checkpoint.ts).
// - Each section is appended and synced before the commit journal moves on to the state it makes: a crash leaves
//   the file without it, or with it torn (no start applies a torn section, and the next one cuts it off).
//   A file whose chain does not start at the snapshot in place (it was written against an older one) is not used.
// - A section that is damaged ends the chain there: the commit journal then applies to none of it, and the start
//   scans LevelDB, which stays the truth.
// Layout (framed-file.ts): a header ({ storeId }), then one record per section, its payload: identity JSON length
// (u32 LE) | identity JSON ({ from, at }) | count (u32 LE) | addresses (count u32 LE) | value lengths (count i32 LE) |
// values.
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { writeFileAtomically } from './atomic-file.js';
import { frameHeader, frameRecord, readFrameHeader, readRecord } from './framed-file.js';
import type { Changes } from './snapshot-changes.js';

const MAGIC = Buffer.from('ADLDELT\u0001', 'latin1');

/** A snapshot state: the store's commit sequence it is at and the session that wrote it (see Snapshot.fingerprint). */
export interface SnapshotIdentity {
  readonly seq: number;
  readonly fingerprint: string;
}

/** One checkpoint's section: the changes that take the snapshot state `from` to `at`. */
export interface DeltaSection {
  readonly from: SnapshotIdentity;
  readonly at: SnapshotIdentity;
  readonly changes: Changes;
}

export interface DeltaChain {
  /** The sections that apply to the snapshot, in order (the later a section, the newer its values). */
  readonly sections: readonly DeltaSection[];
  /** The state they lead to: the last section's, or the snapshot's own when none applies. */
  readonly at: SnapshotIdentity;
  /** How many addresses the sections name together (repeats counted): what a start applies. */
  readonly entries: number;
  /** The file's length up to the end of the last section that applies (undefined: none does): where the next goes. */
  readonly length: number | undefined;
}

export const sameIdentity = (a: SnapshotIdentity, b: SnapshotIdentity): boolean => a.seq === b.seq && a.fingerprint === b.fingerprint;

/** The delta file beside a snapshot file. */
export function deltaPathOf(snapshotPath: string): string {
  return `${snapshotPath}.delta`;
}

/** The sections of the file at `path` that apply to the snapshot `base` of store `storeId` (none when missing). */
export function readDeltaChain(path: string, storeId: string, base: SnapshotIdentity): DeltaChain {
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch {
    return emptyChain(base);
  }
  return parseChain(file, storeId, base);
}

/**
 * Adds a section to the delta file and returns the file's length after it. `length`: how long the file was after
 * its last section that applies (as read, or as this returned); undefined when the section follows the snapshot itself,
 * and the file then starts anew with it. Appended after cutting anything past `length` (a section a crash tore),
 * then synced: until then a crash leaves the file as it was, or with a torn section that no start applies.
 */
export async function appendDeltaSection(path: string, storeId: string, section: DeltaSection, length: number | undefined): Promise<number> {
  const bytes = sectionBytes(section);
  const size = bytes.reduce((sum, part) => sum + part.length, 0);
  if (length === undefined) {
    const header = frameHeader(MAGIC, { storeId });
    await writeFileAtomically(path, [header, ...bytes]);
    return header.length + size;
  }
  const file = await open(path, 'r+');
  try {
    await file.truncate(length);
    await file.writev(bytes, length);
    await file.datasync();
  } finally {
    await file.close();
  }
  return length + size;
}

function emptyChain(base: SnapshotIdentity): DeltaChain {
  return { sections: [], at: base, entries: 0, length: undefined };
}

/** Where the sections start when the file is a delta file of store `storeId`; else undefined. */
function sectionsStart(file: Buffer, storeId: string): number | undefined {
  const framed = readFrameHeader(file, MAGIC);
  return (framed?.header as { storeId?: unknown } | undefined)?.storeId === storeId ? framed!.end : undefined;
}

function parseChain(file: Buffer, storeId: string, base: SnapshotIdentity): DeltaChain {
  const start = sectionsStart(file, storeId);
  if (start === undefined) return emptyChain(base);
  const sections: DeltaSection[] = [];
  let at = base;
  let entries = 0;
  let end = start;
  for (let read = readSection(file, end); read !== undefined && sameIdentity(read.section.from, at); read = readSection(file, end)) {
    sections.push(read.section);
    at = read.section.at;
    entries += read.section.changes.ips.length;
    end = read.end;
  }
  return { sections, at, entries, length: sections.length === 0 ? undefined : end };
}

/** The section at `offset` and where it ends; undefined when there is none, or it is torn or damaged. */
function readSection(file: Buffer, offset: number): { section: DeltaSection; end: number } | undefined {
  const record = readRecord(file, offset);
  if (record === undefined) return undefined;
  const { payload } = record;
  try {
    const identityLength = payload.readUInt32LE(0);
    const identity = JSON.parse(payload.toString('utf8', 4, 4 + identityLength)) as { from: SnapshotIdentity; at: SnapshotIdentity };
    if (!isIdentity(identity.from) || !isIdentity(identity.at)) return undefined;
    let at = 4 + identityLength;
    const count = payload.readUInt32LE(at);
    at += 4;
    const ips = new Uint32Array(count);
    const lengths = new Int32Array(count);
    // Copied out: the payload's offset in the file need not be a multiple of 4.
    Buffer.from(ips.buffer).set(payload.subarray(at, (at += 4 * count)));
    Buffer.from(lengths.buffer).set(payload.subarray(at, (at += 4 * count)));
    const total = lengths.reduce((sum, n) => sum + Math.max(n, 0), 0);
    if (at + total !== payload.length) return undefined;
    return { section: { from: identity.from, at: identity.at, changes: { ips, lengths, bytes: payload.subarray(at) } }, end: record.end };
  } catch {
    return undefined;
  }
}

function isIdentity(value: unknown): value is SnapshotIdentity {
  const identity = value as Partial<SnapshotIdentity> | undefined;
  return Number.isSafeInteger(identity?.seq) && typeof identity?.fingerprint === 'string';
}

function sectionBytes({ from, at, changes }: DeltaSection): Buffer[] {
  const identity = Buffer.from(JSON.stringify({ from: { seq: from.seq, fingerprint: from.fingerprint }, at: { seq: at.seq, fingerprint: at.fingerprint } }));
  const count = changes.ips.length;
  const fixed = Buffer.alloc(4 + identity.length + 4);
  fixed.writeUInt32LE(identity.length, 0);
  identity.copy(fixed, 4);
  fixed.writeUInt32LE(count, 4 + identity.length);
  return frameRecord([
    fixed,
    Buffer.from(changes.ips.buffer, changes.ips.byteOffset, 4 * count),
    Buffer.from(changes.lengths.buffer, changes.lengths.byteOffset, 4 * count),
    Buffer.from(changes.bytes.buffer, changes.bytes.byteOffset, changes.bytes.length),
  ]);
}
