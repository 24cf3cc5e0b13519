// The lease history in LevelDB: one entry per lease write under its own sublevel, "<address key>!<sequence>", so an
// address's entries are one contiguous, ordered range. An entry holds the transitions of that write (binary, see
// history-entry.ts; older versions wrote one JSON object, or an array when several: an offer's transition goes with
// its ACK), so a DORA costs one history put, not one per transition. Appends are planned into the lease's own group-commit batch (no extra sync); each address
// keeps at most `perLease` entries (so at least its `perLease` newest transitions, which is what reads return), and
// a sweep deletes entries whose newest transition is older than the retention (reads skip older transitions in an
// entry kept for a newer one). The sequence range of each address is stored in its lease value, so an append reads
// nothing. Stores written with one transition per entry read the same.
import type { AbstractSublevel } from 'abstract-level';
import type { LeaseTransition } from '../../machines/lease.types.js';
import { decodeHistoryEntry, encodeHistoryEntry } from './history-entry.js';
import { HistoryKeyBytes } from './key-bytes.js';
import { addressKey } from './keys.js';
import type { LevelDatabase } from './level-database.js';
import type { HistoryRange } from './lease-value.js';
import type { RawBatch } from './raw-batch.js';

type HistorySublevel = AbstractSublevel<LevelDatabase, string | Buffer | Uint8Array, string, Uint8Array>;

export interface HistoryOptions {
  /** Transitions kept per address (default 64). */
  readonly perLease?: number;
  /** Transitions older than this are swept (default 30 days). */
  readonly retentionMs?: number;
}

/**
 * Where the range of an address without a stored lease starts: its epoch ms times 16. Keys an older lease of the
 * address left behind (deleted, or written by a version that counted from 0) all sort before it, unless that lease
 * appended more than 16 transitions per millisecond of its life. 16^12 holds this until the year 2527.
 */
const FRESH_PER_MS = 16;
/** Bounds of one address's range: "!" sorts just before '"'. */
const rangeOf = (address: string) => ({ gte: `${address}!`, lt: `${address}"` });

export class HistoryLog {
  readonly perLease: number;
  readonly retentionMs: number;
  /** "<address key>!<sequence>" under the sublevel's prefix, 12 hex digits of sequence (key-bytes.ts). */
  private readonly keys: HistoryKeyBytes;

  constructor(
    private readonly sublevel: HistorySublevel,
    options: HistoryOptions = {},
  ) {
    this.perLease = options.perLease ?? 64;
    this.retentionMs = options.retentionMs ?? 30 * 86_400_000;
    this.keys = new HistoryKeyBytes(sublevel.prefix);
  }

  /** Where the range of an address without a stored lease starts (see FRESH_PER_MS), as its first (and next). */
  freshStart(now: number): number {
    return now * FRESH_PER_MS;
  }

  /**
   * Adds to `batch` the put of one entry holding the address's (uint32) transitions of this batch (in order), and the
   * deletes of what falls out of its bound. The address's range is read from `ranges[at]` (first) and
   * `ranges[at + 1]` (next) and its new one written there: numbers, not a range object per write.
   */
  append(batch: RawBatch, ip: number, transitions: readonly LeaseTransition[], ranges: Float64Array, at: number): void {
    let first = ranges[at]!;
    let next = ranges[at + 1]!;
    const kept = transitions.length > this.perLease ? transitions.slice(-this.perLease) : transitions;
    batch.put(this.keys.of(ip, next++), encodeHistoryEntry(kept));
    while (next - first > this.perLease) batch.del(this.keys.of(ip, first++));
    ranges[at] = first;
    ranges[at + 1] = next;
  }

  /**
   * The address's transitions, oldest first: at most `limit` (and `perLease`) of the newest, none older than the
   * retention at `now`. Unreadable entries are skipped.
   */
  async read(ip: string, now: number, limit = this.perLease): Promise<LeaseTransition[]> {
    const wanted = Math.min(limit, this.perLease);
    // Each entry holds at least one transition, so the `wanted` newest entries hold the `wanted` newest transitions.
    const values = await this.sublevel.values({ ...rangeOf(addressKey(ip)), reverse: true, limit: wanted }).all();
    const cutoff = now - this.retentionMs;
    const transitions = values.reverse().flatMap((value) => decodeHistoryEntry(value) ?? []).filter((t) => t.at >= cutoff);
    return transitions.length > wanted ? transitions.slice(-wanted) : transitions;
  }

  /**
   * Deletes every entry whose transitions are all older than the retention (or unreadable); returns how many. An
   * entry is never rewritten: a commit may be trimming the same address meanwhile, and a rewrite could bring back
   * an entry it deleted.
   */
  async sweep(now: number): Promise<number> {
    const cutoff = now - this.retentionMs;
    let deleted = 0;
    let batch = this.sublevel.batch();
    for await (const [key, value] of this.sublevel.iterator()) {
      const entry = decodeHistoryEntry(value);
      if (entry !== undefined && entry.some((t) => t.at >= cutoff)) continue;
      batch.del(key);
      deleted++;
      if (batch.length >= 1000) {
        await batch.write();
        batch = this.sublevel.batch();
      }
    }
    await (batch.length > 0 ? batch.write() : batch.close());
    return deleted;
  }

  /** The range of an address whose lease value does not carry it, from its first and last key. */
  async readRange(address: string): Promise<HistoryRange> {
    const [first] = await this.sublevel.keys({ ...rangeOf(address), limit: 1 }).all();
    const [last] = await this.sublevel.keys({ ...rangeOf(address), reverse: true, limit: 1 }).all();
    const seqOf = (key: string | undefined): number | undefined =>
      key === undefined ? undefined : Number.parseInt(key.slice(address.length + 1), 16);
    const lastSeq = seqOf(last);
    return { first: seqOf(first) ?? 0, next: lastSeq === undefined ? 0 : lastSeq + 1 };
  }
}
