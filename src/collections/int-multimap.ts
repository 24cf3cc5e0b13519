// An int32 → int32 multimap in two typed arrays (open addressing, linear probing, backward-shift deletion): the lease
// book's indexes at 10^6 leases. A Map of numbers would box every address above 2^30 (most IPv4 addresses) into a
// heap number and cost ~3x the bytes; here an entry is 9 bytes at a load of at most one half.
// It grows incrementally: a full table is replaced by one twice the size, and each later add moves a few of the old
// table's entries over, so no single add rehashes 10^6 entries (~0.25 s on the packet path, once per doubling).

const MIN_CAPACITY = 16;
/** Old-table positions moved per add while growing: the old table is empty long before the new one is half full. */
const MOVE_PER_ADD = 64;
const EMPTY = 0;
const USED = 1;
/** In the old table only: an entry moved to the new table or deleted (lookups probe past it). */
const GONE = 2;

interface Table {
  readonly keys: Int32Array;
  readonly values: Int32Array;
  readonly used: Uint8Array;
  readonly mask: number;
  readonly shift: number;
}

function table(size: number): Table {
  return { keys: new Int32Array(size), values: new Int32Array(size), used: new Uint8Array(size), mask: size - 1, shift: 32 - Math.log2(size) };
}

function home(t: Table, key: number): number {
  return Math.imul(key, 0x9e3779b1) >>> t.shift;
}

/** The pair's position in the table, or -1. */
function find(t: Table, k: number, v: number): number {
  for (let i = home(t, k); t.used[i] !== EMPTY; i = (i + 1) & t.mask) {
    if (t.used[i] === USED && t.keys[i] === k && t.values[i] === v) return i;
  }
  return -1;
}

function insert(t: Table, k: number, v: number): void {
  let i = home(t, k);
  while (t.used[i] === USED) i = (i + 1) & t.mask;
  t.used[i] = USED;
  t.keys[i] = k;
  t.values[i] = v;
}

function count(t: Table, k: number): number {
  let n = 0;
  for (let i = home(t, k); t.used[i] !== EMPTY; i = (i + 1) & t.mask) if (t.used[i] === USED && t.keys[i] === k) n++;
  return n;
}

/** Writes the key's values into `out` from `at` on; gives the index after the last one written. */
function collect(t: Table, k: number, out: number[], at: number): number {
  let next = at;
  for (let i = home(t, k); t.used[i] !== EMPTY; i = (i + 1) & t.mask) {
    if (t.used[i] === USED && t.keys[i] === k) out[next++] = t.values[i]!;
  }
  return next;
}

/** A multimap's arrays and count, as `image` gives them and `fromImage` takes them (transferable between threads). */
export interface IntMultimapImage {
  readonly keys: Int32Array;
  readonly values: Int32Array;
  readonly used: Uint8Array;
  readonly count: number;
}

export class IntMultimap {
  private current: Table;
  /** While growing: the table before, whose entries not moved yet are still USED. */
  private old: Table | undefined;
  /** While growing: the old table's next position to move. */
  private moved = 0;
  private count = 0;

  /** `movePerAdd`: old-table positions moved per add while growing (tests keep a growth in progress with 1). */
  constructor(
    capacity = MIN_CAPACITY,
    private readonly movePerAdd = MOVE_PER_ADD,
  ) {
    this.current = table(Math.max(MIN_CAPACITY, 2 ** Math.ceil(Math.log2(capacity * 2))));
  }

  /** Pairs held. */
  get size(): number {
    return this.count;
  }

  /**
   * A multimap over an image's arrays (adopted, not copied): one built in another thread. Throws a TypeError when the
   * arrays cannot be a table (a power-of-two size, at most half full); their entries are not checked one by one.
   */
  static fromImage(image: IntMultimapImage, movePerAdd = MOVE_PER_ADD): IntMultimap {
    const size = image.used.length;
    if (size < MIN_CAPACITY || (size & (size - 1)) !== 0 || image.keys.length !== size || image.values.length !== size
      || !(image.count >= 0 && image.count * 2 <= size)) throw new TypeError('not an int multimap image');
    const map = new IntMultimap(MIN_CAPACITY, movePerAdd);
    map.current = { keys: image.keys, values: image.values, used: image.used, mask: size - 1, shift: 32 - Math.log2(size) };
    map.count = image.count;
    return map;
  }

  /**
   * The table's arrays (the live ones: the multimap must not be used afterwards unless they are copied). A growth
   * in progress is finished first, so the image is one table.
   */
  image(): IntMultimapImage {
    if (this.old !== undefined) this.move(Infinity);
    const { keys, values, used } = this.current;
    return { keys, values, used, count: this.count };
  }

  /** Adds the pair unless it is already there. */
  add(key: number, value: number): void {
    const k = key | 0;
    const v = value | 0;
    if (this.old !== undefined) {
      this.move(this.movePerAdd);
      if (this.old !== undefined && find(this.old, k, v) >= 0) return;
    }
    if (find(this.current, k, v) >= 0) return;
    insert(this.current, k, v);
    if (++this.count * 2 > this.current.mask + 1) this.grow();
  }

  /** Removes the pair; false when it was not there. */
  delete(key: number, value: number): boolean {
    const k = key | 0;
    const v = value | 0;
    const i = find(this.current, k, v);
    if (i >= 0) {
      this.removeAt(i);
      return true;
    }
    const j = this.old === undefined ? -1 : find(this.old, k, v);
    if (j < 0) return false;
    this.old!.used[j] = GONE;
    this.count--;
    return true;
  }

  /** The first value of the key, or -1 when it has none (for keys with one value, all of them ≥ 0). */
  first(key: number): number {
    const k = key | 0;
    const t = this.current;
    for (let i = home(t, k); t.used[i] === USED; i = (i + 1) & t.mask) {
      if (t.keys[i] === k) return t.values[i]!;
    }
    const old = this.old;
    if (old === undefined) return -1;
    for (let i = home(old, k); old.used[i] !== EMPTY; i = (i + 1) & old.mask) {
      if (old.used[i] === USED && old.keys[i] === k) return old.values[i]!;
    }
    return -1;
  }

  /**
   * Every value of the key, in no particular order (a copy). At its exact size, counted first: an array grown by
   * push() from empty gets a 16-slot backing store (~150 bytes), and the lease book asks this once or twice a request
   * of a key that has one value or none.
   */
  valuesOf(key: number): number[] {
    const k = key | 0;
    const old = this.old;
    const out = new Array<number>(count(this.current, k) + (old === undefined ? 0 : count(old, k)));
    const at = collect(this.current, k, out, 0);
    if (old !== undefined) collect(old, k, out, at);
    return out;
  }

  /** Empties slot i of the current table, then moves back each later entry of the probe run that may live there. */
  private removeAt(i: number): void {
    const t = this.current;
    const { keys, values, used, mask } = t;
    let hole = i;
    for (let j = (i + 1) & mask; used[j] === USED; j = (j + 1) & mask) {
      // The entry at j may move to the hole if the hole lies on its probe path (from its home up to j).
      if (((j - home(t, keys[j]!)) & mask) >= ((j - hole) & mask)) {
        keys[hole] = keys[j]!;
        values[hole] = values[j]!;
        hole = j;
      }
    }
    used[hole] = EMPTY;
    this.count--;
  }

  private grow(): void {
    // A table that fills again before the last move ended (not with 3 or more positions per add) finishes it first.
    if (this.old !== undefined) this.move(Infinity);
    this.old = this.current;
    this.moved = 0;
    this.current = table((this.current.mask + 1) * 2);
    this.move(this.movePerAdd);
  }

  /** Moves up to `positions` old-table positions' entries to the current table; drops the old table when done. */
  private move(positions: number): void {
    const old = this.old!;
    const end = Math.min(old.mask + 1, this.moved + positions);
    for (let i = this.moved; i < end; i++) {
      if (old.used[i] !== USED) continue;
      insert(this.current, old.keys[i]!, old.values[i]!);
      old.used[i] = GONE;
    }
    this.moved = end;
    if (end === old.mask + 1) this.old = undefined;
  }
}
