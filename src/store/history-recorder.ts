// Puts each lease's transitions into the write of the lease itself, so history costs no extra sync: transitions
// wait here (per address, bounded) until their address is next written — offers, which are never stored on
// their own, go with the commit that follows them. Reads join what is stored with what still waits.
import type { LeaseTransition } from '../../machines/lease.types.js';
import { DelegatingLeaseStore } from './delegating-store.js';
import { hasHistory, type LeaseHistoryStore, type LeaseStore, type LeaseWrite } from './types.js';

export class HistoryRecorder extends DelegatingLeaseStore implements LeaseHistoryStore {
  /**
   * Transitions not yet written, by address; at most `perLease` each, and only for addresses the book holds. One
   * alone is kept as it is, two as an array of two: a DORA's offer waits alone for its ACK, and the pair is the
   * write's list as it is (an array grown by push from one element takes room for 17; it outlived the young
   * generation while its commit was synced).
   */
  private readonly pending = new Map<string, LeaseTransition | LeaseTransition[]>();

  constructor(
    inner: LeaseStore,
    private readonly perLease: () => number,
  ) {
    super(inner);
  }

  /** The lease book's transition listener. */
  record(transition: LeaseTransition): void {
    const waiting = this.pending.get(transition.ip);
    if (waiting === undefined) {
      this.pending.set(transition.ip, transition);
      return;
    }
    if (!Array.isArray(waiting)) {
      this.pending.set(transition.ip, this.perLease() > 1 ? [waiting, transition] : [transition]);
      return;
    }
    waiting.push(transition);
    if (waiting.length > this.perLease()) waiting.splice(0, waiting.length - this.perLease());
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
    if (withHistory === undefined) return written;
    const taken = withHistory;
    return written.catch((error: unknown) => {
      this.giveBack(writes, taken);
      throw error;
    });
  }

  /** After a failed write: what it took waits for the next write (a retry, or the undo that follows a failed one). */
  private giveBack(writes: readonly LeaseWrite[], withHistory: readonly LeaseWrite[]): void {
    for (let i = 0; i < writes.length; i++) {
      const mine = withHistory[i]!;
      if (mine === writes[i] || mine.kind !== 'put' || mine.transitions === undefined) continue;
      const own = (writes[i] as typeof mine).transitions?.length ?? 0;
      const ip = mine.record.context.ip;
      this.pending.set(ip, [...mine.transitions.slice(own), ...(this.waitingFor(ip) ?? [])]);
    }
  }

  /** Stored transitions of the address, then those not yet written; at most `limit` of the newest. */
  async history(ip: string, limit = this.perLease()): Promise<LeaseTransition[]> {
    const stored = hasHistory(this.inner) ? await this.inner.history(ip, limit) : [];
    return [...stored, ...(this.waitingFor(ip) ?? [])].slice(-limit);
  }
}
