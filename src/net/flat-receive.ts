// The receive side of udpOpenFlat: the addon leaves each recvmmsg batch in one buffer of slots and describes it in an
// Int32Array, so no JS object is made per datagram in the addon. Here the batch's datagrams get the one thing they
// must own — a copy of their bytes (the decoded request keeps views of them for as long as the exchange lasts, and
// the slots are overwritten by the next batch), all in one exact-size buffer of the batch's (a buffer of its own
// costs an ArrayBuffer and a malloc'd backing store, ~0.8 µs, where a view costs a small object) — and their
// addresses as names from a small cache (a relay's address, the server's, 255.255.255.255 recur in nearly every
// datagram).
import { intToIp } from '../codec/index.js';
import { RX_DROPS_AT, RX_LANE_DROPS_AT, RX_META_FIELDS, RX_META_LENGTH, RX_SLOT_SIZE, RX_SLOTS, RX_WAITS_AT } from './native-binding.js';

/** What the native transport needs of one received datagram. */
export type DatagramSink = (data: Buffer, address: string, port: number, ifindex: number, localAddress: string) => void;
/** False drops the datagram unread (overload control): its bytes in `slots` at [offset, offset + length), how long it
 * waited in the socket's queue (µs; 0 when unknown) and how many datagrams the full receive queues — the main one and
 * the DISCOVER lane's — had dropped by then (a wrapping counter; 0 when unknown). */
export type DatagramAdmission = (slots: Buffer, offset: number, length: number, waitedUs: number, queueDrops: number) => boolean;

/** Address names kept at most; the cache starts over when full (a spoofing flood cannot grow it). */
const MAX_NAMES = 1024;
/**
 * Datagrams up to this size share their batch's buffer; a larger one (no real client's request is) gets a buffer of
 * its own, so a request that lives long pins at most RX_SLOTS of these: 64 KiB, typically a few KiB (5-20 requests
 * of ~300-600 bytes per batch at load).
 */
const SHARED_MAX = 1024;

export class FlatReceiver {
  /** Handed to udpOpenFlat: written by the kernel, read here only inside the batch callback. */
  readonly slots = Buffer.alloc(RX_SLOTS * RX_SLOT_SIZE);
  readonly meta = new Int32Array(RX_META_LENGTH);
  private readonly names = new Map<number, string>();
  /** Per datagram of the batch being delivered: 1 when admitted. */
  private readonly admitted = new Uint8Array(RX_SLOTS);
  /** The last addresses named (NaN: none yet; every int32, -1 included, is an address) and their names. */
  private lastSource = Number.NaN;
  private lastSourceName = '';
  private lastDestination = Number.NaN;
  private lastDestinationName = '';

  /** Hands each of the batch's `count` datagrams that `admit` lets through to `sink`, in arrival order. */
  deliver(count: number, sink: DatagramSink, admit?: DatagramAdmission): void {
    const { meta, admitted } = this;
    const queueDrops = (meta[RX_DROPS_AT]! + meta[RX_LANE_DROPS_AT]!) | 0;
    let shared = 0;
    for (let i = 0, row = 0; i < count; i++, row += RX_META_FIELDS) {
      const length = meta[row + 1]!;
      admitted[i] = admit === undefined || admit(this.slots, meta[row]!, length, meta[RX_WAITS_AT + i]!, queueDrops) ? 1 : 0;
      if (admitted[i] === 1 && length <= SHARED_MAX) shared += length;
    }
    // Exact-size and outside Node's pool: decoded without a copy (codec's handOver with keepView).
    const batch = shared === 0 ? undefined : Buffer.allocUnsafeSlow(shared);
    let at = 0;
    for (let i = 0, row = 0; i < count; i++, row += RX_META_FIELDS) {
      if (admitted[i] === 0) continue;
      const offset = meta[row]!;
      const length = meta[row + 1]!;
      let data: Buffer;
      if (length <= SHARED_MAX) {
        this.slots.copy(batch!, at, offset, offset + length);
        data = batch!.subarray(at, at + length);
        at += length;
      } else {
        data = Buffer.allocUnsafeSlow(length);
        this.slots.copy(data, 0, offset, offset + length);
      }
      const destination = meta[row + 5]!;
      // Destination 0: the kernel gave no IP_PKTINFO (as udpOpen's objects, the local address is then unknown).
      sink(data, this.sourceName(meta[row + 2]!), meta[row + 3]!, meta[row + 4]!, destination === 0 ? '' : this.destinationName(destination));
    }
  }

  /** Address names made so far and kept (for tests: bounded). */
  get cachedNames(): number {
    return this.names.size;
  }

  /**
   * The source's and the destination's names, each the last one asked kept before the Map: a relay's datagrams all
   * come from one address to one of ours, so nearly every datagram's two names cost two compares, not two probes.
   */
  private sourceName(ip: number): string {
    if (ip !== this.lastSource) {
      this.lastSourceName = this.name(ip);
      this.lastSource = ip;
    }
    return this.lastSourceName;
  }

  private destinationName(ip: number): string {
    if (ip !== this.lastDestination) {
      this.lastDestinationName = this.name(ip);
      this.lastDestination = ip;
    }
    return this.lastDestinationName;
  }

  private name(ip: number): string {
    let name = this.names.get(ip);
    if (name === undefined) {
      if (this.names.size >= MAX_NAMES) this.names.clear();
      name = intToIp(ip);
      this.names.set(ip, name);
    }
    return name;
  }
}
