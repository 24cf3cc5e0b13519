// Reads the DHCP datagrams of a packet capture: classic pcap (either byte order, µs or ns timestamps) and pcapng
// (what `tcpdump -w` writes), on Ethernet (with 802.1Q tags), Linux cooked (SLL, SLL2) or raw IPv4 links.
// A truncated or malformed file gives a DHCPD_ERR_CAPTURE_INVALID error naming the record, never a crash.
import { DhcpdError } from '../errors.js';

export interface CapturedDatagram {
  /** 1-based number of the record in the file (pcapng: of the packet block among all blocks). */
  readonly record: number;
  /** Epoch milliseconds (fractional below a millisecond is dropped). */
  readonly at: number;
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payload: Buffer;
}

export class CaptureError extends DhcpdError {
  constructor(message: string, record: number, offset: number) {
    super('DHCPD_ERR_CAPTURE_INVALID', `${message} (record ${record}, byte offset ${offset})`, { details: { record, offset } });
  }
}

const LINK_ETHERNET = 1;
const LINK_RAW = 101;
const LINK_SLL = 113;
const LINK_IPV4 = 228;
const LINK_SLL2 = 276;
const DHCP_PORTS = new Set([67, 68]);

interface Frame {
  readonly record: number;
  readonly at: number;
  readonly linkType: number;
  readonly data: Buffer;
}

/** Every UDP datagram to or from port 67/68 in the capture, in file order. */
export function readCapture(file: Buffer): CapturedDatagram[] {
  const frames = isPcapng(file) ? pcapngFrames(file) : pcapFrames(file);
  return frames.flatMap((frame) => {
    const datagram = udpOf(frame);
    return datagram !== undefined && (DHCP_PORTS.has(datagram.srcPort) || DHCP_PORTS.has(datagram.dstPort)) ? [datagram] : [];
  });
}

function isPcapng(file: Buffer): boolean {
  return file.length >= 4 && file.readUInt32LE(0) === 0x0a0d0d0a;
}

function pcapFrames(file: Buffer): Frame[] {
  if (file.length < 24) throw new CaptureError('not a pcap or pcapng file: shorter than a pcap header', 0, 0);
  const magic = file.readUInt32LE(0);
  const formats: Record<number, { le: boolean; nanos: boolean }> = {
    0xa1b2c3d4: { le: true, nanos: false }, 0xd4c3b2a1: { le: false, nanos: false },
    0xa1b23c4d: { le: true, nanos: true }, 0x4d3cb2a1: { le: false, nanos: true },
  };
  const format = formats[magic];
  if (format === undefined) throw new CaptureError(`not a pcap or pcapng file (magic 0x${magic.toString(16)})`, 0, 0);
  const u32 = (at: number): number => (format.le ? file.readUInt32LE(at) : file.readUInt32BE(at));
  const linkType = u32(20) & 0x0fffffff;
  const frames: Frame[] = [];
  for (let offset = 24, record = 1; offset < file.length; record++) {
    if (offset + 16 > file.length) throw new CaptureError('truncated record header', record, offset);
    const seconds = u32(offset);
    const fraction = u32(offset + 4);
    const captured = u32(offset + 8);
    if (offset + 16 + captured > file.length) throw new CaptureError(`truncated record: ${captured} bytes announced`, record, offset);
    const at = seconds * 1000 + Math.floor(format.nanos ? fraction / 1e6 : fraction / 1e3);
    frames.push({ record, at, linkType, data: file.subarray(offset + 16, offset + 16 + captured) });
    offset += 16 + captured;
  }
  return frames;
}

interface PcapngInterface {
  readonly linkType: number;
  /** Timestamp units per second. */
  readonly unitsPerSecond: number;
}

function pcapngFrames(file: Buffer): Frame[] {
  let le = true;
  let interfaces: PcapngInterface[] = [];
  const frames: Frame[] = [];
  for (let offset = 0, record = 1; offset < file.length; record++) {
    if (offset + 12 > file.length) throw new CaptureError('truncated block header', record, offset);
    const type = file.readUInt32LE(offset);
    if (type === 0x0a0d0d0a) {
      // Section header: its byte-order magic sets the order of this section; interface ids restart.
      const bom = file.readUInt32LE(offset + 8);
      if (bom !== 0x1a2b3c4d && bom !== 0x4d3c2b1a) throw new CaptureError('bad pcapng byte-order magic', record, offset);
      le = bom === 0x1a2b3c4d;
      interfaces = [];
    }
    const u32 = (at: number): number => (le ? file.readUInt32LE(at) : file.readUInt32BE(at));
    const u16 = (at: number): number => (le ? file.readUInt16LE(at) : file.readUInt16BE(at));
    const blockType = u32(offset);
    const length = u32(offset + 4);
    if (length < 12 || length % 4 !== 0) throw new CaptureError(`bad pcapng block length ${length}`, record, offset);
    if (offset + length > file.length) throw new CaptureError(`truncated block: ${length} bytes announced`, record, offset);
    const body = file.subarray(offset + 8, offset + length - 4);
    if (blockType === 1) {
      if (body.length < 8) throw new CaptureError('interface description block too short', record, offset);
      interfaces.push({ linkType: u16(offset + 8), unitsPerSecond: tsResolution(body.subarray(8), le) });
    } else if (blockType === 6 || blockType === 3) {
      frames.push(packetBlock(blockType, body, offset, record, interfaces, u32));
    }
    offset += length;
  }
  return frames;
}

function packetBlock(
  blockType: number, body: Buffer, offset: number, record: number, interfaces: readonly PcapngInterface[],
  u32: (at: number) => number,
): Frame {
  if (blockType === 3) {
    // Simple packet block: interface 0, no timestamp.
    const iface = interfaces[0];
    if (iface === undefined || body.length < 4) throw new CaptureError('simple packet block without an interface', record, offset);
    const captured = Math.min(u32(offset + 8), body.length - 4);
    return { record, at: 0, linkType: iface.linkType, data: body.subarray(4, 4 + captured) };
  }
  if (body.length < 20) throw new CaptureError('enhanced packet block too short', record, offset);
  const iface = interfaces[u32(offset + 8)];
  if (iface === undefined) throw new CaptureError(`packet of undeclared interface ${u32(offset + 8)}`, record, offset);
  const units = u32(offset + 12) * 2 ** 32 + u32(offset + 16);
  const captured = u32(offset + 20);
  if (20 + captured > body.length) throw new CaptureError(`packet data overruns its block (${captured} bytes)`, record, offset);
  return { record, at: Math.floor((units * 1000) / iface.unitsPerSecond), linkType: iface.linkType, data: body.subarray(20, 20 + captured) };
}

/** Option if_tsresol (9): 10^-n or 2^-n seconds per unit; default microseconds. */
function tsResolution(options: Buffer, le: boolean): number {
  for (let at = 0; at + 4 <= options.length; ) {
    const code = le ? options.readUInt16LE(at) : options.readUInt16BE(at);
    const length = le ? options.readUInt16LE(at + 2) : options.readUInt16BE(at + 2);
    if (code === 0) break;
    if (code === 9 && length >= 1 && at + 4 < options.length) {
      const value = options[at + 4]!;
      return value & 0x80 ? 2 ** (value & 0x7f) : 10 ** value;
    }
    at += 4 + Math.ceil(length / 4) * 4;
  }
  return 1e6;
}

/** The IPv4/UDP datagram in a frame; undefined for anything else (ARP, IPv6, TCP, fragments). */
function udpOf(frame: Frame): CapturedDatagram | undefined {
  const ip = ipv4Of(frame);
  if (ip === undefined || ip.length < 20 || ip[0]! >> 4 !== 4) return undefined;
  const headerLength = (ip[0]! & 0x0f) * 4;
  const totalLength = ip.readUInt16BE(2);
  const fragment = ip.readUInt16BE(6) & 0x3fff;
  if (ip[9] !== 17 || fragment !== 0 || headerLength < 20 || ip.length < headerLength + 8) return undefined;
  const end = Math.min(totalLength, ip.length);
  if (end < headerLength + 8) return undefined;
  const udp = ip.subarray(headerLength, end);
  const udpLength = udp.readUInt16BE(4);
  if (udpLength < 8) return undefined;
  const dotted = (at: number): string => `${ip[at]}.${ip[at + 1]}.${ip[at + 2]}.${ip[at + 3]}`;
  return {
    record: frame.record, at: frame.at, src: dotted(12), dst: dotted(16),
    srcPort: udp.readUInt16BE(0), dstPort: udp.readUInt16BE(2),
    payload: Buffer.from(udp.subarray(8, Math.min(udpLength, udp.length))),
  };
}

function ipv4Of(frame: Frame): Buffer | undefined {
  const { data } = frame;
  switch (frame.linkType) {
    case LINK_ETHERNET: {
      let at = 12;
      let etherType = data.length >= 14 ? data.readUInt16BE(at) : 0;
      while ((etherType === 0x8100 || etherType === 0x88a8) && data.length >= at + 6) {
        at += 4;
        etherType = data.readUInt16BE(at);
      }
      return etherType === 0x0800 ? data.subarray(at + 2) : undefined;
    }
    case LINK_SLL:
      return data.length >= 16 && data.readUInt16BE(14) === 0x0800 ? data.subarray(16) : undefined;
    case LINK_SLL2:
      return data.length >= 20 && data.readUInt16BE(0) === 0x0800 ? data.subarray(20) : undefined;
    case LINK_RAW:
    case LINK_IPV4:
      return data;
    default:
      return undefined;
  }
}
