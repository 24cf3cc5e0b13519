// The commit journal beside the start-up snapshot: which addresses every commit since the snapshot wrote, so a start
// after a kill -9 reads just those again from LevelDB instead of scanning every lease. Only an accelerator: LevelDB
// stays the truth, and a journal that does not account for every commit up to the store's sequence is not used.
// - Written by a session that started from the snapshot (or from it and this journal), each commit's record just
//   before its batch is written: whatever a kill -9 interrupts, every address that landed is named (a record whose
//   batch never landed only names a few addresses more, read again for nothing). Not fsynced: a kill -9 leaves the
//   page cache written, and what an OS crash loses only cuts the chain short of the store's sequence: refused.
// - `session` is LevelDB's CURRENT after that session opened the store: unchanged at the next start only when
//   nothing else opened the store since (see Snapshot.fingerprint).
// Layout (framed-file.ts): a header, then records, each payload: from (f64 LE) | to (f64 LE) | addresses (u32 LE…).
// A record covers the commits from+1 .. to. Each is one buffer, written with one call (record(), below).
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { frameHeader, readFrameHeader, readRecord, RECORD_HEAD } from './framed-file.js';

const MAGIC = Buffer.from('ADLJRNL\u0001', 'latin1');
const RANGE = 16;

export interface JournalHeader {
  readonly storeId: string;
  /** The snapshot the journal applies to: its sequence and fingerprint. */
  readonly baseSeq: number;
  readonly baseFingerprint: string;
  /** CURRENT after the writing session opened the store. */
  readonly session: string;
}

export interface JournalContent {
  readonly header: JournalHeader;
  /** Every address the records name (uint32, unordered, possibly repeated). */
  readonly addresses: Uint32Array;
  /** The last commit the records account for without a gap from baseSeq; undefined when they do not start there. */
  readonly upTo: number | undefined;
}

/** Reads a journal; undefined when it is missing or not one (a torn tail just ends the records early). */
export function readJournal(path: string): JournalContent | undefined {
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch {
    return undefined;
  }
  const framed = readFrameHeader(file, MAGIC);
  if (framed === undefined) return undefined;
  const header = framed.header as JournalHeader;
  if (typeof header.storeId !== 'string' || !Number.isSafeInteger(header.baseSeq) || typeof header.baseFingerprint !== 'string'
    || typeof header.session !== 'string') return undefined;
  const chunks: Uint32Array[] = [];
  let total = 0;
  let upTo: number | undefined = header.baseSeq;
  for (let read = readRecord(file, framed.end); read !== undefined; read = readRecord(file, read.end)) {
    const { payload } = read;
    if (payload.length < RANGE || (payload.length - RANGE) % 4 !== 0) break;
    const from = payload.readDoubleLE(0);
    const to = payload.readDoubleLE(8);
    // A record that does not continue the chain (a commit not journalled in between) ends what can be trusted.
    if (from !== upTo || !(to > from)) {
      upTo = undefined;
      break;
    }
    upTo = to;
    const addresses = new Uint32Array((payload.length - RANGE) / 4);
    Buffer.from(addresses.buffer).set(payload.subarray(RANGE));
    chunks.push(addresses);
    total += addresses.length;
  }
  const addresses = new Uint32Array(total);
  let filled = 0;
  for (const chunk of chunks) {
    addresses.set(chunk, filled);
    filled += chunk.length;
  }
  return { header, addresses, upTo };
}

/** An open journal, appended to after each commit. */
export class JournalFile {
  private fd: number | undefined;

  private constructor(
    private where: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  get path(): string {
    return this.where;
  }

  /**
   * Starts the journal at `path` (replacing any): the header, then one record of `addresses` covering the commits
   * baseSeq+1 .. upTo (those a restart replayed; none: nothing since the snapshot). Written to a temporary file and
   * renamed, so the previous journal stays whole until this one is.
   */
  static start(path: string, header: JournalHeader, addresses: readonly number[], upTo: number): JournalFile {
    const tmp = `${path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeAll(fd, frameHeader(MAGIC, header));
      if (upTo > header.baseSeq) writeAll(fd, record(header.baseSeq, upTo, addresses));
      renameSync(tmp, path);
    } catch (error) {
      closeSync(fd);
      rmSync(tmp, { force: true });
      throw error;
    }
    return new JournalFile(path, fd);
  }

  /** Notes that commit `seq` (following seq - 1) wrote these addresses. False (and removed) when the write failed. */
  append(seq: number, addresses: readonly number[]): boolean {
    if (this.fd === undefined) return false;
    try {
      writeAll(this.fd, record(seq - 1, seq, addresses));
      return true;
    } catch {
      this.discard();
      return false;
    }
  }

  /** Renames the file to `path` (replacing what is there: atomic) and goes on appending to it there. */
  moveTo(path: string): void {
    renameSync(this.where, path);
    this.where = path;
  }

  /** Stops journalling; the file stays (a clean close then replaces the snapshot it applies to). */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Stops journalling and removes the file: it could no longer account for every commit. */
  discard(): void {
    this.close();
    rmSync(this.where, { force: true });
  }
}

function record(from: number, to: number, addresses: readonly number[]): Buffer {
  const out = Buffer.allocUnsafe(RECORD_HEAD + RANGE + 4 * addresses.length);
  out.writeUInt32LE(RANGE + 4 * addresses.length, 0);
  out.writeDoubleLE(from, RECORD_HEAD);
  out.writeDoubleLE(to, RECORD_HEAD + 8);
  for (let i = 0; i < addresses.length; i++) out.writeUInt32LE(addresses[i]!, RECORD_HEAD + RANGE + 4 * i);
  out.writeUInt32LE(crc32(out.subarray(RECORD_HEAD)), 4);
  return out;
}

function writeAll(fd: number, bytes: Buffer): void {
  for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
}
