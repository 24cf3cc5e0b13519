// The client key of each packed lease. A table loaded whole (a snapshot) keeps its keys as one UTF-8 blob with end
// offsets: 10^6 keys cost no string, no JSON parse and no garbage at start-up, and a key becomes a string only when
// a request or a listing needs its record. Slots packed since hold their key as a string.
import { clientHash, clientHashOfAscii } from './client-hash.js';

/** The string of the ASCII bytes start..end. */
export function asciiString(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1', start, end);
}

/** Keys back to back in UTF-8; key i is bytes[ends[i - 1] (0 for i = 0) .. ends[i]). */
export class KeyBlob {
  /** The bytes as a Buffer (for decoding and copying). */
  readonly text: Buffer;

  constructor(
    readonly bytes: Uint8Array,
    readonly ends: Uint32Array,
  ) {
    this.text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.ends.length;
  }

  start(i: number): number {
    return i === 0 ? 0 : this.ends[i - 1]!;
  }

  at(i: number): string {
    return this.text.toString('utf8', this.start(i), this.ends[i]);
  }

  /** Whether key i is `key`, without building its string when it is ASCII. */
  matches(i: number, key: string): boolean {
    const start = this.start(i);
    const end = this.ends[i]!;
    if (end - start !== key.length) return Buffer.byteLength(key) === end - start && this.at(i) === key;
    for (let at = start, c = 0; at < end; at++, c++) {
      const byte = this.bytes[at]!;
      if (byte >= 0x80) return this.at(i) === key;
      if (byte !== key.charCodeAt(c)) return false;
    }
    return true;
  }

  /** Whether key i is the bytes start..end of `bytes` (UTF-8 both: the same bytes are the same string). */
  holds(i: number, bytes: Uint8Array, start: number, end: number): boolean {
    const from = this.start(i);
    if (this.ends[i]! - from !== end - start) return false;
    for (let at = 0; at < end - start; at++) if (this.bytes[from + at] !== bytes[start + at]) return false;
    return true;
  }

  /** clientHash(subnetId, key i) without building the string when the key is ASCII (as "hw:…" and "id:…" keys are). */
  hash(subnetId: number, i: number): number {
    return clientHashOfAscii(subnetId, this.bytes, this.start(i), this.ends[i]!) ?? clientHash(subnetId, this.at(i));
  }

  /** Throws unless the ends never go back and stay within the bytes (a key may not be empty). */
  check(): void {
    let previous = 0;
    for (let i = 0; i < this.ends.length; i++) {
      const end = this.ends[i]!;
      if (end <= previous) throw new TypeError(`lease ${i} has no client key`);
      previous = end;
    }
    if (previous !== this.bytes.length) throw new TypeError('client keys do not fill their section');
  }
}

/** Per slot: free, or the key (from the loaded blob, or a string for a slot packed since). */
export class KeyColumn {
  private blob: KeyBlob | undefined;
  /** Slots below this are the blob's (loaded); the others hold strings only. */
  private base = 0;
  /**
   * Keys of loaded slots that differ from the blob's (another client since the load). A Map, not a holey array of
   * 10^6: V8 keeps an array made by `new Array(n)` that large in dictionary mode, a hash table anyway.
   */
  private readonly overrides = new Map<number, string>();
  /** Keys of slots base, base + 1, … (undefined: free). */
  private strings: (string | undefined)[] = [];
  private live = new Uint8Array(0);

  /** Slots in use or freed: the column's length (slots are added one at a time, at the end). */
  get length(): number {
    return this.base + this.strings.length;
  }

  has(slot: number): boolean {
    return this.live[slot] === 1;
  }

  /** The key of a slot in use. */
  get(slot: number): string {
    return this.string(slot) ?? this.blob!.at(slot);
  }

  /** clientHash(subnetId, key) of a slot in use. */
  hash(subnetId: number, slot: number): number {
    const key = this.string(slot);
    return key !== undefined ? clientHash(subnetId, key) : this.blob!.hash(subnetId, slot);
  }

  set(slot: number, key: string): void {
    this.live[slot] = 1;
    if (slot >= this.base) this.strings[slot - this.base] = key;
    // A loaded lease packed again for the same client (a renewal: the usual case) keeps the blob's key, so the map
    // holds only the slots whose client changed, not every lease touched since the start.
    else if (!this.blob!.matches(slot, key)) this.overrides.set(slot, key);
    else if (this.overrides.size > 0) this.overrides.delete(slot);
  }

  /** As `set`, the key given as ASCII bytes start..end: no string built when it is the loaded key of the slot. */
  setAscii(slot: number, bytes: Uint8Array, start: number, end: number): void {
    if (slot < this.base && this.blob!.holds(slot, bytes, start, end)) {
      this.live[slot] = 1;
      if (this.overrides.size > 0) this.overrides.delete(slot);
    } else {
      this.set(slot, asciiString(bytes, start, end));
    }
  }

  clear(slot: number): void {
    this.live[slot] = 0;
    if (slot < this.base) this.overrides.delete(slot);
    else this.strings[slot - this.base] = undefined;
  }

  /** A new slot at the end, free. */
  push(): void {
    const slot = this.length;
    if (slot === this.live.length) {
      const live = new Uint8Array(Math.max(1024, slot * 2));
      live.set(this.live);
      this.live = live;
    }
    this.strings.push(undefined);
  }

  /**
   * The keys of the slots in these runs (start, end exclusive, in turn; every slot in use), in order, as a blob:
   * loaded keys are copied as bytes, contiguous ones at once, not decoded.
   */
  blobOf(runs: readonly number[], count: number): KeyBlob {
    const { blob } = this;
    let size = 0;
    for (let r = 0; r < runs.length; r += 2) {
      for (let slot = runs[r]!; slot < runs[r + 1]!; slot++) {
        const key = this.string(slot);
        size += key === undefined ? blob!.ends[slot]! - blob!.start(slot) : Buffer.byteLength(key);
      }
    }
    const bytes = Buffer.allocUnsafe(size);
    const ends = new Uint32Array(count);
    let at = 0;
    let i = 0;
    // Loaded bytes not copied yet: [from, to) of the blob, to go at `at`.
    let from = 0;
    let to = 0;
    const flush = (): void => {
      if (to > from) at += blob!.text.copy(bytes, at, from, to);
      from = to = 0;
    };
    for (let r = 0; r < runs.length; r += 2) {
      for (let slot = runs[r]!; slot < runs[r + 1]!; slot++) {
        const key = this.string(slot);
        if (key === undefined) {
          const start = blob!.start(slot);
          if (start !== to) {
            flush();
            from = start;
          }
          to = blob!.ends[slot]!;
          ends[i++] = at + (to - from);
        } else {
          flush();
          at += bytes.write(key, at, 'utf8');
          ends[i++] = at;
        }
      }
    }
    flush();
    return new KeyBlob(bytes, ends);
  }

  /** Slots 0 .. blob.length - 1, all in use, with the blob's keys (the column must be empty). */
  adopt(blob: KeyBlob): void {
    if (this.length > 0) throw new TypeError('adopt() into a column that holds keys');
    this.blob = blob;
    this.base = blob.length;
    this.live = new Uint8Array(blob.length).fill(1);
  }

  /** The slot's key as a string, or undefined when it is the blob's (or the slot is free). */
  private string(slot: number): string | undefined {
    if (slot >= this.base) return this.strings[slot - this.base];
    return this.overrides.size === 0 ? undefined : this.overrides.get(slot);
  }
}
