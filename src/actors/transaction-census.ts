// How many client exchanges are in each state of the transaction machine now, for the /ui page. It holds the
// transactions the router creates and forgets finished ones when it counts (and when it has grown to twice the
// live ones), so it stays bounded by the router's own limit on clients.
interface Counted {
  getSnapshot(): { value: unknown; status: string };
}

export class TransactionCensus {
  private readonly live = new Set<Counted>();
  private pruneAt = 64;

  track<T extends Counted>(transaction: T): T {
    this.live.add(transaction);
    if (this.live.size >= this.pruneAt) {
      this.prune();
      this.pruneAt = Math.max(64, this.live.size * 2);
    }
    return transaction;
  }

  /** State name → exchanges in it (only states with at least one). */
  counts(): Record<string, number> {
    this.prune();
    const counts: Record<string, number> = {};
    for (const transaction of this.live) {
      const state = String(transaction.getSnapshot().value);
      counts[state] = (counts[state] ?? 0) + 1;
    }
    return counts;
  }

  private prune(): void {
    for (const transaction of this.live) if (transaction.getSnapshot().status !== 'active') this.live.delete(transaction);
  }
}
