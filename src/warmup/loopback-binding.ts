// The native addon's surface with no socket behind it, for a warm-up run (warm-up.ts): the transport above it is the
// daemon's own (native-transport.ts, flat receive, batched sends), only the system calls are replaced. Receive
// batches are handed in by the driver; whatever the server sends is read back by the synthetic clients.
import { constants } from 'node:os';
import type { NativeBinding, UdpHandle } from '../net/native-binding.js';
import { TX_META_FIELDS } from '../net/native-binding.js';

/** Where a packet socket's datagram carries its DHCP message: after the IPv4 (no options) and UDP headers. */
const IP_UDP_HEADERS = 28;
const FAKE_PACKET_FD = 1_000_000;
const ENOSYS = -constants.errno.ENOSYS;

export interface LoopbackReplies {
  replied(data: Uint8Array, offset: number, length: number): void;
}

export interface LoopbackBinding extends NativeBinding {
  /** Hands the transport one receive batch of `count` datagrams, as the addon's wakeup would (none before it opened). */
  receive(count: number): void;
  /** The receive buffers the transport gave at open (undefined before). */
  readonly buffers: { readonly slots: Uint8Array; readonly meta: Int32Array } | undefined;
}

export function loopbackBinding(replies: LoopbackReplies): LoopbackBinding {
  const handle = { __brand: 'dhcpd_net.udp' } as UdpHandle;
  let onBatch: ((errno: number, count: number) => void) | undefined;
  let buffers: { slots: Uint8Array; meta: Int32Array } | undefined;
  return {
    get buffers() {
      return buffers;
    },
    receive(count) {
      onBatch?.(0, count);
    },
    udpOpen: () => ENOSYS,
    udpOpenFlat(_address, _port, _maxBatch, slots, meta, callback) {
      buffers = { slots, meta };
      onBatch = callback;
      return handle;
    },
    udpSend(_handle, data) {
      replies.replied(data, 0, data.length);
      return data.length;
    },
    udpSendFlat(_handle, slab, meta, count, results) {
      for (let i = 0, row = 0; i < count; i++, row += TX_META_FIELDS) {
        const length = meta[row + 1]!;
        if (length < 0) continue;
        replies.replied(slab, meta[row]!, length);
        results[i] = length;
      }
      return count;
    },
    udpSetReceiveBuffer: (_handle, bytes) => bytes * 2,
    udpClose() {
      onBatch = undefined;
      return 0;
    },
    packetOpen: () => FAKE_PACKET_FD,
    packetSend(_fd, datagram) {
      replies.replied(datagram, IP_UDP_HEADERS, datagram.length - IP_UDP_HEADERS);
      return datagram.length;
    },
    packetSendMany(_fd, datagrams, _ifindexes, _macs, results) {
      for (let i = 0; i < datagrams.length; i++) {
        const datagram = datagrams[i]!;
        replies.replied(datagram, IP_UDP_HEADERS, datagram.length - IP_UDP_HEADERS);
        results[i] = datagram.length;
      }
      return datagrams.length;
    },
    fdClose: () => 0,
  };
}
