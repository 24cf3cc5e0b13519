// Loads and types the native addon (native/*.c); a missing or broken build is DHCPD_ERR_NET_NATIVE_UNAVAILABLE.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NetError } from '../errors.js';

/** One datagram as recvmsg saw it; `localAddress` is the IP header destination from IP_PKTINFO. */
export interface RawDatagram {
  readonly data: Buffer;
  readonly address: string;
  readonly port: number;
  readonly ifindex: number;
  readonly localAddress: string;
}

/** udpOpenFlat's receive slots: datagrams per recvmmsg and bytes per datagram at most (native/udp.c). */
export const RX_SLOTS = 64;
export const RX_SLOT_SIZE = 8192;
/** A flat batch's row per datagram (native/udp.c): where its bytes are in the slots and what IP_PKTINFO said. */
/** Its fields in order: offset, length, source IPv4 and port, receiving interface index, destination IPv4 (the IPv4
 * addresses as host-order 32-bit integers, read back with `>>> 0`). */
export const RX_META_FIELDS = 6;
/** After the rows, meta may hold RX_SLOTS + 1 int32 more: each datagram's wait in the socket's queue in µs, from the
 * kernel's receive timestamp, then the datagrams the socket's full queue has dropped since it opened (a wrapping
 * counter). An addon built before them leaves them 0. */
export const RX_WAITS_AT = RX_SLOTS * RX_META_FIELDS;
export const RX_DROPS_AT = RX_WAITS_AT + RX_SLOTS;
/** With a DISCOVER lane (udpOpenFlat's discoverQueueBytes), two int32 more: the datagrams the lane's full queue has
 * dropped, and those it received (both wrapping counters since it opened). */
export const RX_LANE_DROPS_AT = RX_DROPS_AT + 1;
export const RX_LANE_RECEIVED_AT = RX_DROPS_AT + 2;
/** The whole meta array udpOpenFlat is given. */
export const RX_META_LENGTH = RX_LANE_RECEIVED_AT + 1;

/** udpSendFlat's row per message (native/send.c): offset, length, destination, port, ifindex, source. */
export const TX_META_FIELDS = 6;

/** An open UDP socket in the addon (opaque). */
export type UdpHandle = { readonly __brand: 'dhcpd_net.udp' };

/** The addon's surface. Numbers below zero are negative errno values; nothing throws but wrong argument types. */
export interface NativeBinding {
  /** Bound to address:port with SO_REUSEADDR, SO_BROADCAST, IP_PKTINFO; `onBatch` gets up to maxBatch per wakeup. */
  udpOpen(address: string, port: number, maxBatch: number, onBatch: (errno: number, batch: RawDatagram[]) => void): UdpHandle | number;
  /**
   * udpOpen without a JS object per datagram: each recvmmsg (up to RX_SLOTS) is left in `slots` and described by
   * `count` rows of RX_META_FIELDS in `meta`, valid until `onBatch` returns. Optional: an addon built
   * before it is driven through udpOpen.
   * With `discoverQueueBytes` > 0, DISCOVERs wait in a queue of their own that size (the DISCOVER lane, native/lane.c),
   * read only after the main one: udpDiscoverLane says whether it opened.
   */
  udpOpenFlat?(address: string, port: number, maxBatch: number, slots: Uint8Array, meta: Int32Array, onBatch: (errno: number, count: number) => void, discoverQueueBytes?: number): UdpHandle | number;
  /**
   * What came of udpOpenFlat's discoverQueueBytes: the lane's queue as the kernel granted it (SO_RCVBUF: twice the
   * bytes asked), 0 when none was asked, or -errno when it could not open (every datagram then takes the main queue).
   * Optional: an addon built before it has no lane.
   */
  udpDiscoverLane?(handle: UdpHandle): number;
  /** sendmsg with IP_PKTINFO when ifindex > 0 or source != "": bytes sent or -errno. */
  udpSend(handle: UdpHandle, data: Buffer, address: string, port: number, ifindex: number, source: string): number;
  udpClose(handle: UdpHandle): number;
  /**
   * Sets the socket's receive queue (SO_RCVBUFFORCE, else SO_RCVBUF within rmem_max): the size the kernel granted
   * (SO_RCVBUF reads back twice the payload bytes) or -errno. Optional: an addon built before it keeps its 4 MiB.
   */
  udpSetReceiveBuffer?(handle: UdpHandle, bytes: number): number;
  /**
   * sendmmsg of messages[i] = (datas[i], addresses[i], numbers[2i] = port, numbers[2i+1] = ifindex, sources[i]) as
   * udpSend would send each; results[i] = bytes sent or -errno, one per message (a refused message does not stop the
   * others). Returns how many were tried. Optional: an addon built before it sends one by one.
   */
  udpSendMany?(handle: UdpHandle, datas: readonly Buffer[], addresses: readonly string[], sources: readonly string[], numbers: Int32Array, results: Int32Array): number;
  /**
   * udpSendMany without a JS value per message: messages[i] = slab[meta[r], meta[r] + meta[r+1]) to IPv4 meta[r+2]
   * (host order), port meta[r+3], through ifindex meta[r+4], from IPv4 meta[r+5] (0: the kernel picks), r = i ×
   * TX_META_FIELDS; a row with a negative length is skipped (its result is the caller's). Optional like udpSendMany.
   */
  udpSendFlat?(handle: UdpHandle, slab: Uint8Array, meta: Int32Array, count: number, results: Int32Array): number;
  /** A send-only AF_PACKET/SOCK_DGRAM socket: fd or -errno (EPERM without CAP_NET_RAW). */
  packetOpen(): number;
  /** Sends a whole IPv4 datagram to `mac` on `ifindex`: bytes sent or -errno. */
  packetSend(fd: number, ipDatagram: Buffer, ifindex: number, mac: Buffer): number;
  /** packetSend for many: results[i] = bytes sent or -errno, one per datagram. Optional like udpSendMany. */
  packetSendMany?(fd: number, ipDatagrams: readonly Buffer[], ifindexes: Int32Array, macs: readonly Buffer[], results: Int32Array): number;
  fdClose(fd: number): number;
  /**
   * An ICMP socket (raw, else an unprivileged ping socket) watched like udpOpen's: sends go through udpSend (port 0),
   * close through udpClose. Optional: an addon built before it still serves as the transport.
   */
  icmpOpen?(maxBatch: number, onBatch: (errno: number, batch: RawDatagram[]) => void): UdpHandle | number;
}

const ADDON = join('build', 'Release', 'actor_dhcpd_net.node');
const FUNCTIONS = ['udpOpen', 'udpSend', 'udpClose', 'packetOpen', 'packetSend', 'fdClose'] as const;

/** The addon path: build/Release under the package root, found from src/net (tsx) or dist/src/net (compiled). */
export function findAddon(from: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = from;
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, ADDON);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

const loadedByPath = new Map<string, NativeBinding>();

/** Loads the addon once; throws NetError DHCPD_ERR_NET_NATIVE_UNAVAILABLE with the reason. */
export function loadNativeBinding(path: string | undefined = findAddon()): NativeBinding {
  if (process.platform !== 'linux') {
    throw new NetError('DHCPD_ERR_NET_NATIVE_UNAVAILABLE', `the native transport is Linux-only (platform ${process.platform})`);
  }
  if (path === undefined) {
    throw new NetError('DHCPD_ERR_NET_NATIVE_UNAVAILABLE', `native addon not built (${ADDON} not found; run npm run build:native)`);
  }
  const known = loadedByPath.get(path);
  if (known !== undefined) return known;
  let loaded: Partial<Record<(typeof FUNCTIONS)[number], unknown>>;
  try {
    loaded = createRequire(import.meta.url)(path) as typeof loaded;
  } catch (error) {
    throw new NetError('DHCPD_ERR_NET_NATIVE_UNAVAILABLE', `native addon failed to load: ${String(error)}`, { cause: error, details: { path } });
  }
  const missing = FUNCTIONS.filter((f) => typeof loaded[f] !== 'function');
  if (missing.length > 0) {
    throw new NetError('DHCPD_ERR_NET_NATIVE_UNAVAILABLE', `native addon lacks ${missing.join(', ')}`, { details: { path } });
  }
  const binding = loaded as NativeBinding;
  loadedByPath.set(path, binding);
  return binding;
}
