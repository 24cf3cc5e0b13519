// How many client exchanges are in each state of the transaction machine now, for the /ui page. It only watches:
// the router holds the live transactions, the census holds weak references, so a finished exchange (its request,
// its reply) is freed as soon as its lane ends — under a flood of one-time clients, holding finished ones until
// the next count kept tens of megabytes alive. Dead references are dropped when it counts, and when they have
// grown to twice the live ones (so the references themselves stay bounded by the router's limit on clients).
interface Counted {
  getSnapshot(): { value: unknown; status: string };
}

export class TransactionCensus {
  private readonly watched = new Set<WeakRef<Counted>>();
  private pruneAt = 64;

  track<T extends Counted>(transaction: T): T {
    this.watched.add(new WeakRef(transaction));
    if (this.watched.size >= this.pruneAt) {
      this.prune();
      this.pruneAt = Math.max(64, this.watched.size * 2);
    }
    return transaction;
  }

  /** State name → exchanges in it (only states with at least one). */
  counts(): Record<string, number> {
    this.prune();
    const counts: Record<string, number> = {};
    for (const ref of this.watched) {
      const state = String(ref.deref()!.getSnapshot().value);
      counts[state] = (counts[state] ?? 0) + 1;
    }
    return counts;
  }

  /** References watched (live or not yet collected); for tests. */
  get size(): number {
    return this.watched.size;
  }

  private prune(): void {
    for (const ref of this.watched) {
      const transaction = ref.deref();
      if (transaction === undefined || transaction.getSnapshot().status !== 'active') this.watched.delete(ref);
    }
  }
}
