// What a store that started from its snapshot wrote since: the addresses of every commit batch, noted before the
// batch is written (a superset of those committed: a failed or still uncertain batch counts too). At a clean stop
// the new snapshot is the old one with just these addresses read again from the database, instead of a scan.
import { IntMultimap } from '../collections/int-multimap.js';
import { CapturedValues } from './captured-values.js';

export class SnapshotJournal {
  private readonly written = new IntMultimap();
  /** Addresses as the store's writes name them, in first-write order. */
  private readonly order: number[] = [];
  /** What the writes since the last `takeValues` stored, for a checkpoint (captured-values.ts). */
  private values = new CapturedValues();

  /** `seq` and `fingerprint` identify the snapshot loaded at start: the base the writes apply to. */
  constructor(
    readonly seq: number,
    readonly fingerprint: string,
    /** Addresses written before this start (a start that replayed the snapshot's commit journal). */
    since: readonly number[] = [],
  ) {
    for (const ip of since) this.noteAddress(ip);
  }

  get size(): number {
    return this.order.length;
  }

  /** Notes one address (uint32). */
  noteAddress(ip: number): void {
    if (this.written.first(ip) >= 0) return;
    this.written.add(ip, 0);
    this.order.push(ip);
  }

  /** The value a write is storing at the uint32 address (undefined: a delete); the bytes are copied now. */
  noteValue(ip: number, value: Uint8Array | undefined): void {
    this.values.note(ip, value);
  }

  /** The values noted so far, for a checkpoint starting now; later ones are noted afresh. */
  takeValues(): CapturedValues {
    const taken = this.values;
    this.values = new CapturedValues();
    return taken;
  }

  /** Every address written since the base (uint32). */
  addresses(): readonly number[] {
    return this.order;
  }
}
