// IPv4 + UDP datagram building for the packet-socket path (RFC 791 §3.1, RFC 768, RFC 1071 checksum).
// Used to deliver a reply to a client's MAC before it has an address (RFC 2131 §4.1); the kernel adds the
// Ethernet header, everything from the IP header on is ours.
import { parseIpv4 } from '../codec/index.js';

const IP_HEADER = 20;
const UDP_HEADER = 8;
const PROTO_UDP = 17;
/** Largest UDP payload an IPv4 datagram can carry. */
export const MAX_UDP_PAYLOAD = 0xffff - IP_HEADER - UDP_HEADER;

/** RFC 1071 ones' complement sum of 16-bit words, folded, not yet complemented. */
function onesSum(buf: Uint8Array, start: number, end: number, initial: number): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += ((buf[i] ?? 0) << 8) | (buf[i + 1] ?? 0);
  if (i < end) sum += (buf[i] ?? 0) << 8; // an odd trailing byte is padded with zero
  // Arithmetic fold: a 64 KiB sum can pass 2^31, where the bitwise operators would wrap.
  while (sum > 0xffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  return sum;
}

/** The Internet checksum of `buf[start, end)` (RFC 1071): the complement of the ones' complement sum. */
export function internetChecksum(buf: Uint8Array, start = 0, end = buf.length, initial = 0): number {
  return ~onesSum(buf, start, end, initial) & 0xffff;
}

export interface UdpDatagram {
  readonly source: string;
  readonly destination: string;
  readonly sourcePort: number;
  readonly destinationPort: number;
  readonly payload: Uint8Array;
  /** Default 64. */
  readonly ttl?: number;
  /** IP identification; default 0 (DF is set, so it identifies nothing: RFC 6864 §4.1). */
  readonly id?: number;
  /** Type of service byte; default 0. */
  readonly tos?: number;
}

function checkAddress(text: string, what: string): number {
  const ip = parseIpv4(text);
  if (ip < 0) throw new TypeError(`${what} is not an IPv4 address: ${JSON.stringify(text)}`);
  return ip;
}

/** A complete IPv4 datagram carrying one UDP datagram, both checksums filled in. */
export function buildUdpIpv4(d: UdpDatagram): Buffer {
  const src = checkAddress(d.source, 'source');
  const dst = checkAddress(d.destination, 'destination');
  if (d.payload.length > MAX_UDP_PAYLOAD) throw new RangeError(`UDP payload of ${d.payload.length} bytes is too large`);
  const udpLength = UDP_HEADER + d.payload.length;
  // From Node's pool (the packet queue sends it in its next turn and drops it): every byte is written below, the
  // two checksums zeroed before they are summed.
  const buf = Buffer.allocUnsafe(IP_HEADER + udpLength);
  buf.writeUInt16BE(0, 10);
  buf.writeUInt16BE(0, IP_HEADER + 6);
  buf[0] = 0x45; // version 4, header length 5 words
  buf[1] = d.tos ?? 0;
  buf.writeUInt16BE(buf.length, 2);
  buf.writeUInt16BE((d.id ?? 0) & 0xffff, 4);
  buf.writeUInt16BE(0x4000, 6); // DF: a packet socket cannot fragment, and a DHCP reply never needs to
  buf[8] = d.ttl ?? 64;
  buf[9] = PROTO_UDP;
  buf.writeUInt32BE(src, 12);
  buf.writeUInt32BE(dst, 16);
  buf.writeUInt16BE(internetChecksum(buf, 0, IP_HEADER), 10);

  buf.writeUInt16BE(d.sourcePort, IP_HEADER);
  buf.writeUInt16BE(d.destinationPort, IP_HEADER + 2);
  buf.writeUInt16BE(udpLength, IP_HEADER + 4);
  buf.set(d.payload, IP_HEADER + UDP_HEADER);
  // RFC 768 pseudo-header: source, destination, zero + protocol, UDP length.
  const pseudo = onesSum(buf, 12, 20, PROTO_UDP + udpLength);
  const sum = internetChecksum(buf, IP_HEADER, buf.length, pseudo);
  // RFC 768: a computed checksum of zero is sent as all ones (zero means "no checksum").
  buf.writeUInt16BE(sum === 0 ? 0xffff : sum, IP_HEADER + 6);
  return buf;
}
