// Puts each lease's transitions into the write of the lease itself, so history costs no extra sync: transitions
// wait here (per address, bounded) until their address is next written — offers, which are never stored on
// their own, go with the commit that follows them. Reads join what is stored with what still waits.
// An address that is only ever offered and reclaimed (offers nobody REQUESTs: a DISCOVER flood, clients that took
// another server's offer) is never written, so its transitions would wait for good: up to `perLease` (64) for every
// address of every pool, ~0.7 GB for a /16. So what waits is bounded in all too: past `maxPending` transitions, the
// addresses that began waiting first lose theirs (counted), as they would have left the stored history first.
import type { LeaseTransition } from '../../machines/lease.types.js';
import { OrderedSlotMap } from '../collections/ordered-slot-map.js';
import { DelegatingLeaseStore } from './delegating-store.js';
import { hasHistory, type LeaseHistoryStore, type LeaseStore, type LeaseWrite } from './types.js';

/** Transitions waiting for their address's next write, at most, by default: ~25-50 MB. */
export const MAX_PENDING_TRANSITIONS = 1 << 18;

export interface PendingHistoryStats {
  /** Addresses with transitions waiting, and those transitions. */
  readonly addresses: number;
  readonly transitions: number;
  /** Transitions dropped unwritten to keep the bound (`maxPending`). */
  readonly dropped: number;
}

export class HistoryRecorder extends DelegatingLeaseStore implements LeaseHistoryStore {
  /**
   * Transitions not yet written, by address; at most `perLease` each and `maxPending` in all. One
   * alone is kept as it is, two as an array of two: a DORA's offer waits alone for its ACK, and the pair is the
   * write's list as it is (an array grown by push from one element takes room for 17; it outlived the young
   * generation while its commit was synced). A SlotMap, not a Map: addresses come and go once per DORA, and a Map's
   * reallocated tables were promoted (~80 bytes per DORA). Ordered: the addresses that began waiting first go first
   * when the bound in all is reached.
   */
  private readonly pending = new OrderedSlotMap<LeaseTransition | LeaseTransition[]>();
  /** Transitions in `pending`, and those dropped to bound them. */
  private waiting = 0;
  private dropped = 0;
  /** The store's promise of the last writes that took transitions, and those writes with what they sent instead. */
  private takenBy: Promise<void> | undefined;
  private taken = new Taken();
  /** A list whose batch has settled, for the next batch (its room is kept: no regrowth per batch). */
  private spare: Taken | undefined;

  constructor(
    inner: LeaseStore,
    private readonly perLease: () => number,
    private readonly maxPending = MAX_PENDING_TRANSITIONS,
  ) {
    super(inner);
  }

  /** The lease book's transition listener. */
  record(transition: LeaseTransition): void {
    this.append(transition);
    while (this.waiting > this.maxPending && this.pending.size > 1) this.dropOldest();
  }

  private append(transition: LeaseTransition): void {
    const waiting = this.pending.get(transition.ip);
    if (waiting === undefined) {
      this.pending.set(transition.ip, transition);
      this.waiting++;
      return;
    }
    if (!Array.isArray(waiting)) {
      if (this.perLease() > 1) this.waiting++;
      this.pending.set(transition.ip, this.perLease() > 1 ? [waiting, transition] : [transition]);
      return;
    }
    waiting.push(transition);
    this.waiting++;
    if (waiting.length > this.perLease()) this.waiting -= waiting.splice(0, waiting.length - this.perLease()).length;
  }

  /** Drops the transitions of the address that began waiting first. */
  private dropOldest(): void {
    const ip = this.pending.oldestKey()!;
    const count = this.countOf(this.pending.get(ip));
    this.pending.delete(ip);
    this.waiting -= count;
    this.dropped += count;
  }

  private countOf(waiting: LeaseTransition | LeaseTransition[] | undefined): number {
    return waiting === undefined ? 0 : Array.isArray(waiting) ? waiting.length : 1;
  }

  /** What waits for its address's next write now, and what the bound dropped. */
  pendingStats(): PendingHistoryStats {
    return { addresses: this.pending.size, transitions: this.waiting, dropped: this.dropped };
  }

  private waitingFor(ip: string): LeaseTransition[] | undefined {
    const waiting = this.pending.get(ip);
    return waiting === undefined || Array.isArray(waiting) ? waiting : [waiting];
  }

  /**
   * Not an async function, and nothing made for a write that takes no transitions: it runs for every lease write.
   * What a write took is told by comparing the two lists (a write that took transitions was replaced).
   */
  override write(writes: readonly LeaseWrite[]): Promise<void> {
    let withHistory: LeaseWrite[] | undefined;
    for (let i = 0; i < writes.length; i++) {
      const write = writes[i]!;
      if (write.kind !== 'put') continue;
      const ip = write.record.context.ip;
      const transitions = this.waitingFor(ip);
      if (transitions === undefined) continue;
      this.pending.delete(ip);
      this.waiting -= transitions.length;
      withHistory ??= writes.slice();
      const own = write.transitions;
      withHistory[i] = { kind: 'put', record: write.record, transitions: own === undefined || own.length === 0 ? transitions : [...own, ...transitions] };
    }
    let written: Promise<void>;
    try {
      written = this.inner.write(withHistory ?? writes);
    } catch (error) {
      written = Promise.reject(error);
    }
    if (withHistory !== undefined) this.noteTaken(written, writes, withHistory);
    return written;
  }

  /**
   * Keeps what a write took until its promise settles, to give it back if it fails. Writes a group commit gathers
   * into one batch share one promise (group-commit.ts): they share one handler too, attached at the first of them,
   * before their callers' own (so the give-back comes first). The caller gets the store's promise as it is: no
   * derived promise or closure per write, which lived through the synced commit.
   */
  private noteTaken(written: Promise<void>, writes: readonly LeaseWrite[], withHistory: readonly LeaseWrite[]): void {
    if (written !== this.takenBy) {
      const taken = this.spare ?? new Taken();
      this.spare = undefined;
      this.takenBy = written;
      this.taken = taken;
      const settled = (failed: boolean): void => {
        if (this.takenBy === written) this.takenBy = undefined;
        // Newest first, each in front of what waits: the address's transitions stay in the order they happened.
        if (failed) for (let i = taken.size - 2; i >= 0; i -= 2) this.giveBack(taken.entries[i]!, taken.entries[i + 1]!);
        taken.clear();
        this.spare ??= taken;
      };
      written.then(() => settled(false), () => settled(true));
    }
    this.taken.add(writes, withHistory);
  }

  /** After a failed write: what it took waits for the next write (a retry, or the undo that follows a failed one). */
  private giveBack(writes: readonly LeaseWrite[], withHistory: readonly LeaseWrite[]): void {
    for (let i = 0; i < writes.length; i++) {
      const mine = withHistory[i]!;
      if (mine === writes[i] || mine.kind !== 'put' || mine.transitions === undefined) continue;
      const own = (writes[i] as typeof mine).transitions?.length ?? 0;
      const ip = mine.record.context.ip;
      const back = mine.transitions.slice(own);
      this.pending.set(ip, [...back, ...(this.waitingFor(ip) ?? [])]);
      this.waiting += back.length;
    }
  }

  /** Stored transitions of the address, then those not yet written; at most `limit` of the newest. */
  async history(ip: string, limit = this.perLease()): Promise<LeaseTransition[]> {
    const stored = hasHistory(this.inner) ? await this.inner.history(ip, limit) : [];
    return [...stored, ...(this.waitingFor(ip) ?? [])].slice(-limit);
  }
}

/** What the writes of one batch took: pairs of (the writes, what they sent instead). */
class Taken {
  readonly entries: (readonly LeaseWrite[] | undefined)[] = [];
  size = 0;

  add(writes: readonly LeaseWrite[], withHistory: readonly LeaseWrite[]): void {
    this.entries[this.size++] = writes;
    this.entries[this.size++] = withHistory;
  }

  /** Drops the references, keeps the room. */
  clear(): void {
    this.entries.fill(undefined, 0, this.size);
    this.size = 0;
  }
}
