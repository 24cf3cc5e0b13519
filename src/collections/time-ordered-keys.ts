// The time order of a Map's entries, kept beside it: each record pushed with the value it had, so the oldest is at
// the front and a record whose value is no longer its key's (renewed, taken, forgotten) is stale and skipped. Not the
// Map's own insertion order: a Map used as a queue is walked over the holes of its deleted entries from the front
// until it rehashes, which cost ~10 µs per operation at 16,384 entries under a flood (server/unreserved-offers.ts).
// The queue is compacted so it stays at most about twice the live entries.

export class TimeOrderedKeys<V> {
  private keys: string[] = [];
  /** Emptied behind the head: a value walked past is released at once, not at the next compaction. */
  private values: (V | undefined)[] = [];
  private head = 0;

  /** `current(key)` is the Map's value now: a record is live while it equals the value recorded. */
  constructor(private readonly current: (key: string) => V | undefined) {}

  push(key: string, value: V): void {
    this.keys.push(key);
    this.values.push(value);
  }

  /**
   * Walks the live records from the oldest: `drop(key, value)` returns true to drop it (the caller deletes it from
   * its Map) and go on, false to stop there. Stale records met on the way are dropped too.
   */
  dropOldest(drop: (key: string, value: V) => boolean): void {
    const { keys, values } = this;
    for (; this.head < keys.length; this.head++) {
      const key = keys[this.head]!;
      const value = values[this.head] as V;
      if (this.current(key) === value && !drop(key, value)) break;
      values[this.head] = undefined;
    }
  }

  /** Keeps the queue within about twice `live` (the Map's size). */
  compact(live: number): void {
    const { keys, values } = this;
    if (this.head > 1024 && this.head * 2 > keys.length) this.rebuild(() => true);
    else if (keys.length - this.head > 2 * live + 1024) this.rebuild((i) => this.current(keys[i]!) === values[i]);
  }

  clear(): void {
    this.keys = [];
    this.values = [];
    this.head = 0;
  }

  private rebuild(keep: (i: number) => boolean): void {
    const keys: string[] = [];
    const values: (V | undefined)[] = [];
    for (let i = this.head; i < this.keys.length; i++) {
      if (!keep(i)) continue;
      keys.push(this.keys[i]!);
      values.push(this.values[i]!);
    }
    this.keys = keys;
    this.values = values;
    this.head = 0;
  }
}
