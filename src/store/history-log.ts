// The lease history in LevelDB: one key per transition under its own sublevel, "<address key>!<sequence>", so an
// address's transitions are one contiguous, ordered range. Appends are planned into the lease's own group-commit
// batch (no extra sync); each address keeps at most `perLease` entries, and a sweep deletes those older than the
// retention.
import type { AbstractBatchOperation, AbstractSublevel } from 'abstract-level';
import type { LeaseTransition } from '../leases/transition.js';
import { addressKey } from './keys.js';
import type { LevelDatabase } from './level-store.js';
import type { LeaseWrite } from './types.js';

type HistorySublevel = AbstractSublevel<LevelDatabase, string | Buffer | Uint8Array, string, string>;
type BatchOperation = AbstractBatchOperation<LevelDatabase, string, string>;

export interface HistoryOptions {
  /** Transitions kept per address (default 64). */
  readonly perLease?: number;
  /** Transitions older than this are swept (default 30 days). */
  readonly retentionMs?: number;
}

/** The stored sequence range of one address: keys first..next-1 may exist. */
interface Range {
  first: number;
  next: number;
}

const SEQ_DIGITS = 12;
const seqKey = (address: string, seq: number): string => `${address}!${seq.toString(16).padStart(SEQ_DIGITS, '0')}`;
/** Bounds of one address's range: "!" sorts just before '"'. */
const rangeOf = (address: string) => ({ gte: `${address}!`, lt: `${address}"` });

export class HistoryLog {
  readonly perLease: number;
  readonly retentionMs: number;
  /** Ranges of addresses written since open; batches are serialized, so no two plans use it at once. */
  private readonly ranges = new Map<string, Range>();

  constructor(
    private readonly sublevel: HistorySublevel,
    options: HistoryOptions = {},
  ) {
    this.perLease = options.perLease ?? 64;
    this.retentionMs = options.retentionMs ?? 30 * 86_400_000;
  }

  /** Puts for the batch's transitions, and deletes of what falls out of each address's bound. */
  async plan(writes: readonly LeaseWrite[]): Promise<BatchOperation[]> {
    const byAddress = new Map<string, LeaseTransition[]>();
    for (const write of writes) {
      if (write.kind !== 'put' || write.transitions === undefined || write.transitions.length === 0) continue;
      const address = addressKey(write.record.context.ip);
      const list = byAddress.get(address);
      if (list === undefined) byAddress.set(address, [...write.transitions]);
      else list.push(...write.transitions);
    }
    if (byAddress.size === 0) return [];
    await Promise.all([...byAddress.keys()].filter((a) => !this.ranges.has(a)).map((a) => this.loadRange(a)));
    const ops: BatchOperation[] = [];
    for (const [address, transitions] of byAddress) {
      const range = this.ranges.get(address)!;
      for (const transition of transitions.slice(-this.perLease)) {
        ops.push({ type: 'put', key: seqKey(address, range.next++), value: JSON.stringify(transition), sublevel: this.sublevel });
      }
      while (range.next - range.first > this.perLease) {
        ops.push({ type: 'del', key: seqKey(address, range.first++), sublevel: this.sublevel });
      }
    }
    return ops;
  }

  /** After a failed batch the cached ranges may be ahead of the disk: read them again when next needed. */
  forget(): void {
    this.ranges.clear();
  }

  /** The address's transitions, oldest first: at most `limit` of the newest. Unreadable entries are skipped. */
  async read(ip: string, limit = this.perLease): Promise<LeaseTransition[]> {
    const values = await this.sublevel.values({ ...rangeOf(addressKey(ip)), reverse: true, limit }).all();
    return values.flatMap((value) => parseEntry(value) ?? []).reverse();
  }

  /** Deletes every transition older than the retention; returns how many. */
  async sweep(now: number): Promise<number> {
    const cutoff = now - this.retentionMs;
    let deleted = 0;
    let batch = this.sublevel.batch();
    for await (const [key, value] of this.sublevel.iterator()) {
      const entry = parseEntry(value);
      if (entry !== undefined && entry.at >= cutoff) continue;
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

  private async loadRange(address: string): Promise<void> {
    const [first] = await this.sublevel.keys({ ...rangeOf(address), limit: 1 }).all();
    const [last] = await this.sublevel.keys({ ...rangeOf(address), reverse: true, limit: 1 }).all();
    const seqOf = (key: string | undefined): number | undefined =>
      key === undefined ? undefined : Number.parseInt(key.slice(address.length + 1), 16);
    const firstSeq = seqOf(first) ?? 0;
    const lastSeq = seqOf(last);
    this.ranges.set(address, { first: firstSeq, next: lastSeq === undefined ? 0 : lastSeq + 1 });
  }
}

function parseEntry(value: string): LeaseTransition | undefined {
  try {
    const entry = JSON.parse(value) as LeaseTransition;
    return typeof entry.at === 'number' && typeof entry.to === 'string' ? entry : undefined;
  } catch {
    return undefined;
  }
}
