// The lease values a store wrote since its commit journal started, copied as they go into the batch, so that a
// checkpoint need not read them back from LevelDB: at 10^6 leases a read back costs ~9 µs an address, in LevelDB's
// threads and this one, against one copy of ~160 bytes here. Bounded: past `limit` bytes nothing more is kept, and an
// address written again then is forgotten, so the checkpoint reads it back instead. The bytes are never compacted:
// a rewritten address leaves its older value behind until the checkpoint takes the whole set.
import { IntMultimap } from '../collections/int-multimap.js';

/** What is known of an address: its latest value, DELETED, or undefined (never written here, or forgotten). */
export const DELETED = null;

export class CapturedValues {
  private bytes: Uint8Array;
  private used = 0;
  /** Address (int32) → its entry: starts[entry] and lengths[entry] (-1: deleted). */
  private readonly entries = new IntMultimap();
  private starts = new Int32Array(1024);
  private lengths = new Int32Array(1024);
  private count = 0;

  constructor(private readonly limit = 16 << 20) {
    this.bytes = new Uint8Array(Math.min(limit, 1 << 20));
  }

  /** The address was written with `value` (read now, not kept; undefined: deleted). */
  note(ip: number, value: Uint8Array | undefined): void {
    const length = value?.length ?? -1;
    const k = ip | 0;
    let entry = this.entries.first(k);
    if (length > 0 && !this.reserve(length)) {
      if (entry >= 0) this.entries.delete(k, entry);
      return;
    }
    if (entry < 0) {
      entry = this.newEntry();
      this.entries.add(k, entry);
    }
    this.starts[entry] = this.used;
    this.lengths[entry] = length;
    if (length > 0) {
      this.bytes.set(value!, this.used);
      this.used += length;
    }
  }

  /** The latest value of the uint32 address (a view, valid while this set is), DELETED, or undefined: read it back. */
  valueOf(ip: number): Uint8Array | typeof DELETED | undefined {
    const entry = this.entries.first(ip | 0);
    if (entry < 0) return undefined;
    const length = this.lengths[entry]!;
    if (length < 0) return DELETED;
    const start = this.starts[entry]!;
    return this.bytes.subarray(start, start + length);
  }

  /** Room for `length` more bytes, up to the limit; false past it. */
  private reserve(length: number): boolean {
    if (this.used + length > this.limit) return false;
    this.bytes = withRoom(this.bytes, this.used, length, this.limit);
    return true;
  }

  private newEntry(): number {
    if (this.count === this.starts.length) {
      const starts = new Int32Array(2 * this.count);
      const lengths = new Int32Array(2 * this.count);
      starts.set(this.starts);
      lengths.set(this.lengths);
      this.starts = starts;
      this.lengths = lengths;
    }
    return this.count++;
  }
}

/**
 * One commit batch's values, copied as the batch is built and noted in the journals only once it landed: a value
 * noted for a batch that failed could be taken by a checkpoint that then writes a state the store never held.
 */
export class StagedValues {
  private bytes: Uint8Array = new Uint8Array(64 * 1024);
  private used = 0;
  private readonly ips: number[] = [];
  /** Per staged value: its length (-1: a delete); they lie back to back in `bytes`. */
  private readonly lengths: number[] = [];

  /** The batch writes `value` at the uint32 address (undefined: deletes it); the bytes are copied now. */
  add(ip: number, value: Uint8Array | undefined): void {
    const length = value?.length ?? -1;
    if (length > 0) {
      this.bytes = withRoom(this.bytes, this.used, length);
      this.bytes.set(value!, this.used);
      this.used += length;
    }
    this.ips.push(ip);
    this.lengths.push(length);
  }

  /** The batch landed: each value, in order, to `note` (a view, valid during the call); then the stage is empty. */
  drain(note: (ip: number, value: Uint8Array | undefined) => void): void {
    for (let i = 0, at = 0; i < this.ips.length; i++) {
      const length = this.lengths[i]!;
      note(this.ips[i]!, length < 0 ? undefined : this.bytes.subarray(at, at + length));
      at += Math.max(length, 0);
    }
    this.clear();
  }

  /** The batch failed or was not written: its values go. */
  clear(): void {
    this.used = 0;
    this.ips.length = 0;
    this.lengths.length = 0;
  }
}

/** `bytes`, or a copy of its first `used` bytes twice as large (at most `limit`), with room for `length` more. */
function withRoom(bytes: Uint8Array, used: number, length: number, limit = Number.POSITIVE_INFINITY): Uint8Array {
  if (used + length <= bytes.length) return bytes;
  const grown = new Uint8Array(Math.min(limit, Math.max(used + length, 2 * bytes.length)));
  grown.set(bytes.subarray(0, used));
  return grown;
}
