// One stored history entry (the transitions of one lease write) as bytes. Binary (version byte 0xB2): JSON.stringify
// of an offer's and its ACK's transitions was the store's largest main-thread cost per DORA (~8 µs of 150 in a
// profiled in-process run) and a ~430-byte string each; the binary entry is ~60 % as long (the strings are most of
// it) and written into one buffer kept for it. Entries written by older versions are JSON (an object, or an array of them): they still read.
// Layout: 0xB2 | count (u16 LE) | per transition: flags (u8: 1 xid, 2 message) | at (f64 LE) | ip (u32 BE) |
// subnetId (u32 LE) | xid (u32 LE, when flagged) | clientKey, from, to, event, message (when flagged): each a u16 LE
// byte length and UTF-8.
import type { LeaseTransition } from '../../machines/lease.types.js';
import { ipToInt32 } from './keys.js';
import { writeUtf8Field } from './utf8-field.js';

const VERSION_1 = 0xb2;
const HAS_XID = 1;
const HAS_MESSAGE = 2;
/** Per transition without its strings: flags, at, ip, subnetId, xid, and five string lengths. */
const FIXED = 1 + 8 + 4 + 4 + 4 + 5 * 2;
const MAX_STRING = 0xffff;
const MAX_COUNT = 0xffff;

/** Where entries are put together; grown for an entry that needs more. */
let scratch = Buffer.allocUnsafe(4096);
/** Views of the scratch by length (0 .. length - 1), made once each: an entry costs no object once warm. */
let views = new Array<Uint8Array | undefined>(scratch.length + 1);

/**
 * The entry's bytes: binary when every transition fits the layout (an integer subnet id and xid within uint32, a
 * canonical IPv4 address, a number `at`, strings within 64 KiB), else JSON, which is always exact. Binary bytes
 * are a view of a buffer the next call writes again: valid until then (a batch put copies them at once).
 */
export function encodeHistoryEntry(transitions: readonly LeaseTransition[]): Uint8Array {
  const bound = binaryBound(transitions);
  if (bound < 0) return Buffer.from(JSON.stringify(transitions.length === 1 ? transitions[0] : transitions));
  if (bound > scratch.length) {
    scratch = Buffer.allocUnsafe(Math.max(bound, 2 * scratch.length));
    views = new Array<Uint8Array | undefined>(scratch.length + 1);
  }
  const out = scratch;
  out[0] = VERSION_1;
  out[1] = transitions.length & 0xff;
  out[2] = transitions.length >>> 8;
  let at = 3;
  for (let i = 0; i < transitions.length; i++) at = writeTransition(out, at, transitions[i]!);
  return (views[at] ??= new Uint8Array(out.buffer, out.byteOffset, at));
}

/** An upper bound of the binary entry's length (3 UTF-8 bytes per UTF-16 unit at most), or -1 when it does not fit. */
function binaryBound(transitions: readonly LeaseTransition[]): number {
  if (transitions.length === 0 || transitions.length > MAX_COUNT) return -1;
  let bound = 3;
  for (let i = 0; i < transitions.length; i++) {
    const t = transitions[i]!;
    if (typeof t.at !== 'number' || ipToInt32(t.ip) === undefined || !isUint32(t.subnetId)) return -1;
    if (t.xid !== undefined && !isUint32(t.xid)) return -1;
    const { message } = t;
    if (!fits(t.clientKey) || !fits(t.from) || !fits(t.to) || !fits(t.event) || (message !== undefined && !fits(message))) return -1;
    bound += FIXED + 3 * (t.clientKey.length + t.from.length + t.to.length + t.event.length + (message?.length ?? 0));
  }
  return bound;
}

function isUint32(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
}

function fits(text: unknown): text is string {
  return typeof text === 'string' && (text.length <= MAX_STRING / 3 || Buffer.byteLength(text) <= MAX_STRING);
}

function writeTransition(out: Buffer, at: number, t: LeaseTransition): number {
  const { xid, message } = t;
  out[at] = (xid === undefined ? 0 : HAS_XID) | (message === undefined ? 0 : HAS_MESSAGE);
  at = out.writeDoubleLE(t.at, at + 1);
  at = out.writeInt32BE(ipToInt32(t.ip)!, at);
  at = out.writeUInt32LE(t.subnetId, at);
  if (xid !== undefined) at = out.writeUInt32LE(xid, at);
  at = writeUtf8Field(out, at, t.clientKey);
  at = writeUtf8Field(out, at, t.from);
  at = writeUtf8Field(out, at, t.to);
  at = writeUtf8Field(out, at, t.event);
  if (message !== undefined) at = writeUtf8Field(out, at, message);
  return at;
}

/** The transitions of a stored entry, either format; undefined when it is damaged or not an entry. */
export function decodeHistoryEntry(value: Uint8Array): LeaseTransition[] | undefined {
  const bytes = Buffer.from(value.buffer, value.byteOffset, value.length);
  if (bytes.length > 0 && bytes[0] === VERSION_1) return decodeBinary(bytes);
  return decodeJson(bytes.toString('utf8'));
}

function decodeBinary(bytes: Buffer): LeaseTransition[] | undefined {
  if (bytes.length < 3) return undefined;
  const count = bytes[1]! | (bytes[2]! << 8);
  const reader = { at: 3 };
  const transitions: LeaseTransition[] = [];
  for (let i = 0; i < count; i++) {
    const transition = readTransition(bytes, reader);
    if (transition === undefined) return undefined;
    transitions.push(transition);
  }
  return transitions.length > 0 && reader.at === bytes.length ? transitions : undefined;
}

/** One transition, its fields in transitionOf's order; undefined when the bytes end early. */
function readTransition(bytes: Buffer, reader: { at: number }): LeaseTransition | undefined {
  let { at } = reader;
  if (at + 17 > bytes.length) return undefined;
  const flags = bytes[at]!;
  const when = bytes.readDoubleLE(at + 1);
  const address = bytes.readUInt32BE(at + 9);
  const subnetId = bytes.readUInt32LE(at + 13);
  at += 17;
  let xid: number | undefined;
  if ((flags & HAS_XID) !== 0) {
    if (at + 4 > bytes.length) return undefined;
    xid = bytes.readUInt32LE(at);
    at += 4;
  }
  const strings: string[] = [];
  const wanted = (flags & HAS_MESSAGE) !== 0 ? 5 : 4;
  for (let s = 0; s < wanted; s++) {
    if (at + 2 > bytes.length) return undefined;
    const length = bytes[at]! | (bytes[at + 1]! << 8);
    if (at + 2 + length > bytes.length) return undefined;
    strings.push(bytes.toString('utf8', at + 2, at + 2 + length));
    at += 2 + length;
  }
  reader.at = at;
  const [clientKey, from, to, event, message] = strings as [string, string, string, string, string | undefined];
  const ip = `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}`;
  return {
    at: when, ip, subnetId, clientKey, from, to, event,
    ...(xid === undefined ? {} : { xid }),
    ...(message === undefined ? {} : { message }),
  };
}

/** An entry of an older version: one transition as a JSON object, or an array of them. */
function decodeJson(text: string): LeaseTransition[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const list = Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
  return list.length > 0 && list.every(isTransition) ? list : undefined;
}

function isTransition(value: unknown): value is LeaseTransition {
  const t = value as Partial<LeaseTransition> | null;
  return typeof t === 'object' && t !== null && typeof t.at === 'number' && typeof t.to === 'string';
}
