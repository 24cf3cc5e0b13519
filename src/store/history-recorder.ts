// Puts each lease's transitions into the write of the lease itself, so history costs no extra sync: transitions
// wait here (per address, bounded) until their address is next written — offers, which are never stored on
// their own, go with the commit that follows them. Reads join what is stored with what still waits.
import type { LeaseTransition } from '../leases/transition.js';
import { DelegatingLeaseStore } from './delegating-store.js';
import { hasHistory, type LeaseHistoryStore, type LeaseStore, type LeaseWrite } from './types.js';

export class HistoryRecorder extends DelegatingLeaseStore implements LeaseHistoryStore {
  /** Transitions not yet written, by address; at most `perLease` each, and only for addresses the book holds. */
  private readonly pending = new Map<string, LeaseTransition[]>();

  constructor(
    inner: LeaseStore,
    private readonly perLease: () => number,
  ) {
    super(inner);
  }

  /** The lease book's transition listener. */
  record(transition: LeaseTransition): void {
    const list = this.pending.get(transition.ip);
    if (list === undefined) {
      this.pending.set(transition.ip, [transition]);
      return;
    }
    list.push(transition);
    if (list.length > this.perLease()) list.splice(0, list.length - this.perLease());
  }

  override async write(writes: readonly LeaseWrite[]): Promise<void> {
    const taken = new Map<string, LeaseTransition[]>();
    const withHistory = writes.map((write) => {
      if (write.kind !== 'put') return write;
      const ip = write.record.context.ip;
      const transitions = this.pending.get(ip);
      if (transitions === undefined) return write;
      this.pending.delete(ip);
      taken.set(ip, transitions);
      return { ...write, transitions: [...(write.transitions ?? []), ...transitions] };
    });
    try {
      await this.inner.write(withHistory);
    } catch (error) {
      // Not stored: they wait for the next write (a retry, or the undo that follows a failed one).
      for (const [ip, transitions] of taken) this.pending.set(ip, [...transitions, ...(this.pending.get(ip) ?? [])]);
      throw error;
    }
  }

  /** Stored transitions of the address, then those not yet written; at most `limit` of the newest. */
  async history(ip: string, limit = this.perLease()): Promise<LeaseTransition[]> {
    const stored = hasHistory(this.inner) ? await this.inner.history(ip, limit) : [];
    return [...stored, ...(this.pending.get(ip) ?? [])].slice(-limit);
  }
}
