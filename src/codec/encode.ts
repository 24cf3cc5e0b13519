// DhcpMessage -> bytes: RFC 2131 §2 header, RFC 2132 options, RFC 3396 splitting, RFC 1542 300-byte minimum.
import { CodecError } from '../errors.js';
import type { DhcpMessage, DhcpOption } from './types.js';
import { writeIp, ZERO_IP } from './ip.js';
import { ZERO_FILE, ZERO_SNAME } from './zero-fields.js';
import { layoutOverloaded } from './overload.js';
import { copyInto, wireLength, writeInstances } from './instances.js';
import {
  CHADDR_LEN, CHADDR_OFFSET, CIADDR_OFFSET, COOKIE_OFFSET, FILE_LEN, FILE_OFFSET, FLAGS_OFFSET, GIADDR_OFFSET,
  MAGIC_COOKIE, MIN_MESSAGE_SIZE, MIN_PAYLOAD_LIMIT, OPT_END, OPT_OVERLOAD,
  OPT_PAD, OPTIONS_OFFSET, SECS_OFFSET, SIADDR_OFFSET, SNAME_LEN, SNAME_OFFSET, XID_OFFSET, YIADDR_OFFSET,
} from './wire.js';

export interface EncodeOptions {
  /**
   * The largest DHCP message (UDP payload) the client accepts, i.e. its option 57 minus 28 bytes of IP and UDP
   * headers (RFC 2132 §9.10 counts the datagram, as ISC dhcpd and Kea read it). Values below 548 count as 548:
   * RFC 2131 §2 makes every client accept a 312-byte options field. When absent, the message is never overloaded.
   */
  maxSize?: number;
  /**
   * The caller keeps the bytes only briefly (sends them; whatever keeps a reply for longer copies it): they may be
   * a slice of Node's shared 8 KiB pool, which costs a fraction of a buffer of its own (an ArrayBuffer, a malloc'd
   * backing store and V8's tracking of it, per reply).
   */
  pooled?: boolean;
}

function checkCode(code: number): void {
  if (!Number.isInteger(code) || code <= OPT_PAD || code >= OPT_END) {
    throw new TypeError(`option code must be an integer 1..254, got ${code}`);
  }
}

/** Length of the options area (cookie excluded) without overload, END included. Option 52 is never copied. */
function optionsLength(options: readonly DhcpOption[]): number {
  let total = 1;
  for (const opt of options) {
    checkCode(opt.code);
    if (opt.code !== OPT_OVERLOAD) total += wireLength(opt.data.length);
  }
  return total;
}

/** The size encode() produces without a maxSize: header, cookie, options, END, padded to 300. */
export function encodedSize(msg: DhcpMessage): number {
  return Math.max(MIN_MESSAGE_SIZE, OPTIONS_OFFSET + optionsLength(msg.options));
}

/** Into the zero-filled buffer: the shared zero field is left as the zeros already there. */
function writeField(buf: Buffer, offset: number, size: number, value: Buffer, name: string): void {
  if (value.length > size) throw new TypeError(`${name} is ${value.length} bytes, the field holds ${size}`);
  if (value === ZERO_SNAME || value === ZERO_FILE) return;
  copyInto(buf, offset, value, 0, value.length);
}

function writeAddress(buf: Buffer, offset: number, value: string, name: string): void {
  // 0.0.0.0 (siaddr always, ciaddr and giaddr often): the zeros already there, not a parse per field.
  if (value === ZERO_IP) return;
  if (!writeIp(buf, offset, value)) throw new TypeError(`${name} is not an IPv4 address: ${JSON.stringify(value)}`);
}

/** Writes the fixed header and the cookie into a zero-filled buffer. Bad field values are programmer errors. */
function writeHeader(buf: Buffer, msg: DhcpMessage): void {
  buf.writeUInt8(msg.op, 0);
  buf.writeUInt8(msg.htype, 1);
  buf.writeUInt8(msg.hlen, 2);
  buf.writeUInt8(msg.hops, 3);
  buf.writeUInt32BE(msg.xid, XID_OFFSET);
  buf.writeUInt16BE(msg.secs, SECS_OFFSET);
  buf.writeUInt16BE(msg.flags, FLAGS_OFFSET);
  writeAddress(buf, CIADDR_OFFSET, msg.ciaddr, 'ciaddr');
  writeAddress(buf, YIADDR_OFFSET, msg.yiaddr, 'yiaddr');
  writeAddress(buf, SIADDR_OFFSET, msg.siaddr, 'siaddr');
  writeAddress(buf, GIADDR_OFFSET, msg.giaddr, 'giaddr');
  writeField(buf, CHADDR_OFFSET, CHADDR_LEN, msg.chaddr, 'chaddr');
  writeField(buf, SNAME_OFFSET, SNAME_LEN, msg.sname, 'sname');
  writeField(buf, FILE_OFFSET, FILE_LEN, msg.file, 'file');
  buf.writeUInt32BE(MAGIC_COOKIE, COOKIE_OFFSET);
}

/**
 * Encodes a message: header, cookie, options in `msg.options` order (each split per RFC 3396 when longer than
 * 255 bytes), END, zero padding to at least 300 bytes. A caller-supplied option 52 is ignored: overload is the
 * encoder's decision. With `maxSize`, options that do not fit overflow into `file` then `sname` when those are
 * all zero (RFC 2131 §4.1, RFC 2132 §9.3); options 53 and 54 then come first and stay in the options field.
 *
 * @throws CodecError DHCPD_ERR_CODEC_REPLY_TOO_LARGE when the message cannot fit in `maxSize` even with overload
 *   (the only CodecError; the server retries with fewer options). TypeError for malformed messages (bugs).
 */
export function encode(msg: DhcpMessage, opts?: EncodeOptions): Buffer {
  const optLen = optionsLength(msg.options);
  const size = OPTIONS_OFFSET + optLen;
  const limit = opts?.maxSize === undefined ? Infinity : Math.max(opts.maxSize, MIN_PAYLOAD_LIMIT);
  if (size > limit) return encodeOverloaded(msg, limit);
  // Exact-size and outside the pool unless the caller says it keeps it briefly (a reply kept for long must not pin a
  // pool slab: see own-buffer.ts), zeroed here: a zero-filled allocation (calloc) costs more than the fill.
  const length = Math.max(MIN_MESSAGE_SIZE, size);
  const buf = (opts?.pooled === true ? Buffer.allocUnsafe(length) : Buffer.allocUnsafeSlow(length)).fill(0);
  writeHeader(buf, msg);
  let pos = OPTIONS_OFFSET;
  for (const opt of msg.options) if (opt.code !== OPT_OVERLOAD) pos = writeInstances(buf, pos, opt.code, opt.data);
  buf[pos] = OPT_END;
  return buf;
}

function encodeOverloaded(msg: DhcpMessage, limit: number): Buffer {
  const buf = Buffer.alloc(limit);
  writeHeader(buf, msg);
  const end = layoutOverloaded(buf, msg, limit);
  if (end < 0) {
    throw new CodecError('DHCPD_ERR_CODEC_REPLY_TOO_LARGE', `reply does not fit in ${limit} bytes even with overload`, {
      details: { limit, needed: encodedSize(msg) },
    });
  }
  return buf.subarray(0, Math.max(MIN_MESSAGE_SIZE, end));
}
