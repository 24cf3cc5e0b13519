// The receive side of udpOpenFlat: the addon leaves each recvmmsg batch in one buffer of slots and describes it in an
// Int32Array, so no JS object is made per datagram in the addon. Here each datagram gets the one thing it must own —
// a copy of its bytes (the decoded request keeps views of them for as long as the exchange lasts, and the slots are
// overwritten by the next batch) — and its addresses as names from a small cache (a relay's address, the server's,
// 255.255.255.255 recur in nearly every datagram).
import { intToIp } from '../codec/index.js';
import { RX_DROPS_AT, RX_META_FIELDS, RX_SLOT_SIZE, RX_SLOTS, RX_WAITS_AT } from './native-binding.js';

/** What the native transport needs of one received datagram. */
export type DatagramSink = (data: Buffer, address: string, port: number, ifindex: number, localAddress: string) => void;
/** False drops the datagram unread (overload control): its bytes in `slots` at [offset, offset + length), how long it
 * waited in the socket's queue (µs; 0 when unknown) and how many datagrams the socket's full queue had dropped by
 * then (a wrapping counter; 0 when unknown). */
export type DatagramAdmission = (slots: Buffer, offset: number, length: number, waitedUs: number, queueDrops: number) => boolean;

/** Address names kept at most; the cache starts over when full (a spoofing flood cannot grow it). */
const MAX_NAMES = 1024;

export class FlatReceiver {
  /** Handed to udpOpenFlat: written by the kernel, read here only inside the batch callback. */
  readonly slots = Buffer.alloc(RX_SLOTS * RX_SLOT_SIZE);
  readonly meta = new Int32Array(RX_DROPS_AT + 1);
  private readonly names = new Map<number, string>();

  /** Hands each of the batch's `count` datagrams that `admit` lets through to `sink`, in arrival order. */
  deliver(count: number, sink: DatagramSink, admit?: DatagramAdmission): void {
    const meta = this.meta;
    for (let i = 0, row = 0; i < count; i++, row += RX_META_FIELDS) {
      const offset = meta[row]!;
      const length = meta[row + 1]!;
      if (admit !== undefined && !admit(this.slots, offset, length, meta[RX_WAITS_AT + i]!, meta[RX_DROPS_AT]!)) continue;
      // Exact-size and outside Node's pool: a buffer of its own (see codec/own-buffer.ts), decoded without a copy.
      const data = Buffer.allocUnsafeSlow(length);
      this.slots.copy(data, 0, offset, offset + length);
      const destination = meta[row + 5]!;
      // Destination 0: the kernel gave no IP_PKTINFO (as udpOpen's objects, the local address is then unknown).
      sink(data, this.name(meta[row + 2]!), meta[row + 3]!, meta[row + 4]!, destination === 0 ? '' : this.name(destination));
    }
  }

  /** Address names made so far and kept (for tests: bounded). */
  get cachedNames(): number {
    return this.names.size;
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
