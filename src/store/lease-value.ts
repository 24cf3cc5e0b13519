// The stored value of one lease in LevelDB: a compact binary record (version byte 0xB1), which also carries the
// sequence range of the address's history keys so an append needs no read. Values written by older versions are
// JSON records ("{" first): they still decode, and the next write of the lease stores it in binary.
import { StoreError } from '../errors.js';
import { FLAT_MAX_TIMERS, type FlatLease } from '../lease-columns/flat-lease.js';
import type { LeaseContext, LeaseRecord, LeaseState, LeaseTimer } from '../../machines/lease.types.js';
import { decodeRecord, encodeRecord } from './record-codec.js';
import { ipToInt32 } from './keys.js';
import { writeUtf8Field } from './utf8-field.js';

/** The stored sequence numbers of an address's history keys: first..next-1 may exist. */
export interface HistoryRange {
  readonly first: number;
  readonly next: number;
}

export interface LeaseValue {
  readonly record: LeaseRecord;
  /** Undefined for a JSON value (written before the range was kept): the range must be read from the history. */
  readonly history: HistoryRange | undefined;
}

/** A decoded value: the range kept as two numbers (one object per lease fewer while 10^6 of them load). */
class DecodedValue implements LeaseValue {
  constructor(
    readonly record: LeaseRecord,
    private readonly first: number,
    private readonly next: number,
  ) {}

  get history(): HistoryRange | undefined {
    return Number.isNaN(this.first) ? undefined : { first: this.first, next: this.next };
  }
}

const VERSION_1 = 0xb1;
const JSON_OPEN = 0x7b; // "{"
const HAS_HOSTNAME = 1;
const HAS_HISTORY = 2;
/** Fixed part: version, state, flags, timer count, ip, subnetId, 8 times. */
const FIXED = 4 + 4 + 4 + 8 * 8;
const MAX_STRING = 0xffff;

const STATES: readonly LeaseState[] = ['offered', 'bound', 'renewing', 'rebinding', 'expired', 'released', 'declined', 'reclaimed'];
const STATE_INDEX = new Map(STATES.map((state, i) => [state, i]));
const CONTEXT_FIELDS = new Set([
  'ip', 'subnetId', 'clientKey', 'hwAddress', 'hostname', 'offerExpiresAt', 'boundAt', 'renewAt', 'rebindAt',
  'expiresAt', 'graceUntil', 'probationUntil', 'changedAt',
]);

/**
 * Encodes the record in binary; a record the binary layout cannot hold exactly (a field it does not know, a
 * subnet id beyond uint32, a string over 64 KiB) is stored as JSON instead, which is always exact.
 */
export function encodeLeaseValue(record: LeaseRecord, history: HistoryRange | undefined): Uint8Array {
  return Buffer.from(leaseValueBytes(record, history?.first ?? Number.NaN, history?.next ?? Number.NaN));
}

/**
 * As encodeLeaseValue, the history range as two numbers (NaN: none), and binary bytes are a view of a buffer the
 * next call writes again: valid until then. For a batch put, which copies them at once (one copy and one buffer
 * per lease write fewer, and no range object).
 */
export function leaseValueBytes(record: LeaseRecord, first: number, next: number): Uint8Array {
  return fitsBinary(record) ? encodeBinary(record, first, next) : Buffer.from(encodeRecord(record));
}

/** Decodes either format; throws DHCPD_ERR_STORE_CORRUPT when the value is damaged. */
export function decodeLeaseValue(value: Uint8Array): LeaseValue {
  if (value.length > 0 && value[0] === VERSION_1) return decodeBinary(value);
  if (value.length > 0 && value[0] === JSON_OPEN) return { record: decodeRecord(value), history: undefined };
  throw corrupt(`has an unknown format (first byte ${value.length === 0 ? 'none' : value[0]})`);
}

/**
 * Whether the binary layout holds the record exactly. It runs for every lease write: the own keys are counted and the
 * known fields read by name (a known field of the wrong type fails), not each key looked up in a set.
 */
function fitsBinary(record: LeaseRecord): boolean {
  const { context, timers } = record;
  if (!STATE_INDEX.has(record.state) || ipToInt32(context.ip) === undefined) return false;
  if (!Number.isInteger(context.subnetId) || context.subnetId < 0 || context.subnetId > 0xffffffff) return false;
  if (ownKeys(record) !== 3 || !Array.isArray(timers) || timers.length > 255) return false;
  if (!fitsString(context.clientKey) || !fitsString(context.hwAddress)) return false;
  const hasHostname = Object.hasOwn(context, 'hostname');
  if (context.hostname !== undefined && !fitsString(context.hostname)) return false;
  // Every other context field is a time (a number: anything else would not come back as it was); as many own keys
  // as the known fields means no unknown one.
  if (ownKeys(context) !== CONTEXT_FIELDS.size - 1 + (hasHostname ? 1 : 0) || !hasTimes(context)) return false;
  for (let i = 0; i < timers.length; i++) {
    const timer = timers[i]!;
    if (ownKeys(timer) !== 2 || !fitsString(timer.event) || typeof timer.at !== 'number') return false;
  }
  return true;
}

function hasTimes(context: LeaseContext): boolean {
  return typeof context.offerExpiresAt === 'number' && typeof context.boundAt === 'number' && typeof context.renewAt === 'number'
    && typeof context.rebindAt === 'number' && typeof context.expiresAt === 'number' && typeof context.graceUntil === 'number'
    && typeof context.probationUntil === 'number' && typeof context.changedAt === 'number';
}

/**
 * How many enumerable keys the object has, own or inherited: never fewer than its own, so a record with an unknown
 * own field never passes for a known one (an inherited enumerable key, which plain objects do not have, would only
 * send the record to JSON). A for-in loop over the object's cached key list, as fast as Object.keys (~25 ns for a
 * context) without the array Object.keys copies: three per lease write, ~280 bytes of garbage per DORA. (With an
 * own-property test per key it measured 4 to 6 times slower.)
 */
function ownKeys(object: object): number {
  let count = 0;
  for (const _ in object) count++;
  return count;
}

/** A string whose UTF-8 form fits a 16-bit length (at most 3 bytes per UTF-16 unit: short ones need no count). */
function fitsString(text: unknown): text is string {
  return typeof text === 'string' && (text.length <= MAX_STRING / 3 || Buffer.byteLength(text) <= MAX_STRING);
}

/** Where a value is put together (grown for a record that needs more). */
let scratch = Buffer.allocUnsafe(4096);
/** Views of the scratch by length (0 .. length - 1), made once each: a value costs no object once warm. */
let views = new Array<Uint8Array | undefined>(scratch.length + 1);
/**
 * The scratch's numbers are written through a DataView: its setters are compiled inline, where Buffer's
 * writeDoubleLE and friends are calls that box each double argument into a heap number first (~16 bytes each, ten
 * per lease value).
 */
let numbers = new DataView(scratch.buffer, scratch.byteOffset, scratch.length);

function encodeBinary(record: LeaseRecord, first: number, next: number): Uint8Array {
  const hasHistory = !Number.isNaN(first);
  const { context, timers } = record;
  const { hostname } = context;
  // An upper bound: at most 3 UTF-8 bytes per UTF-16 unit.
  let bound = FIXED + 16 + 6 + 3 * (context.clientKey.length + context.hwAddress.length + (hostname?.length ?? 0));
  for (let i = 0; i < timers.length; i++) bound += 10 + 3 * timers[i]!.event.length;
  if (bound > scratch.length) {
    scratch = Buffer.allocUnsafe(Math.max(bound, 2 * scratch.length));
    views = new Array<Uint8Array | undefined>(scratch.length + 1);
    numbers = new DataView(scratch.buffer, scratch.byteOffset, scratch.length);
  }
  const out = scratch;
  const view = numbers;
  out[0] = VERSION_1;
  out[1] = STATE_INDEX.get(record.state) as number;
  out[2] = (hostname === undefined ? 0 : HAS_HOSTNAME) | (hasHistory ? HAS_HISTORY : 0);
  out[3] = timers.length;
  view.setInt32(4, ipToInt32(context.ip)!);
  view.setUint32(8, context.subnetId);
  view.setFloat64(12, context.offerExpiresAt, true);
  view.setFloat64(20, context.boundAt, true);
  view.setFloat64(28, context.renewAt, true);
  view.setFloat64(36, context.rebindAt, true);
  view.setFloat64(44, context.expiresAt, true);
  view.setFloat64(52, context.graceUntil, true);
  view.setFloat64(60, context.probationUntil, true);
  view.setFloat64(68, context.changedAt, true);
  let at = 76;
  if (hasHistory) {
    view.setFloat64(76, first, true);
    view.setFloat64(84, next, true);
    at = 92;
  }
  at = writeUtf8Field(out, at, context.clientKey);
  at = writeUtf8Field(out, at, context.hwAddress);
  if (hostname !== undefined) at = writeUtf8Field(out, at, hostname);
  for (let i = 0; i < timers.length; i++) {
    const timer = timers[i]!;
    at = writeUtf8Field(out, at, timer.event);
    view.setFloat64(at, timer.at, true);
    at += 8;
  }
  return (views[at] ??= new Uint8Array(out.buffer, out.byteOffset, at));
}


/** Reads a v1 value; every read is bounds-checked so a truncated value is reported, never misread. */
function decodeBinary(value: Uint8Array): LeaseValue {
  const bytes = Buffer.from(value.buffer, value.byteOffset, value.length);
  if (bytes.length < FIXED) throw corrupt('is truncated');
  const state = STATES[bytes[1] as number];
  if (state === undefined) throw corrupt('has no valid state');
  const flags = bytes[2] as number;
  const timerCount = bytes[3] as number;
  const ip = dotted(bytes.readUInt32BE(4));
  const subnetId = bytes.readUInt32BE(8);
  const reader = new Reader(bytes, 12);
  const offerExpiresAt = reader.double();
  const boundAt = reader.double();
  const renewAt = reader.double();
  const rebindAt = reader.double();
  const expiresAt = reader.double();
  const graceUntil = reader.double();
  const probationUntil = reader.double();
  const changedAt = reader.double();
  const hasHistory = (flags & HAS_HISTORY) !== 0;
  const first = hasHistory ? reader.double() : Number.NaN;
  const next = hasHistory ? reader.double() : Number.NaN;
  const clientKey = reader.string();
  if (clientKey === '') throw corrupt('has no context.clientKey');
  const hwAddress = reader.string();
  const hostname = (flags & HAS_HOSTNAME) === 0 ? undefined : reader.string();
  const timers: LeaseTimer[] = [];
  for (let i = 0; i < timerCount; i++) {
    const event = reader.event();
    timers.push({ event, at: reader.double() });
  }
  if (reader.at !== bytes.length) throw corrupt('has trailing bytes');
  // Field order as the lease machine builds the context, so decoded records share its hidden class.
  const context: LeaseContext = hostname === undefined
    ? { ip, subnetId, clientKey, hwAddress, offerExpiresAt, boundAt, renewAt, rebindAt, expiresAt, graceUntil, probationUntil, changedAt }
    : { ip, subnetId, clientKey, hwAddress, hostname, offerExpiresAt, boundAt, renewAt, rebindAt, expiresAt, graceUntil,
      probationUntil, changedAt };
  return new DecodedValue({ state, context, timers }, first, next);
}

/**
 * Reads a v1 value stored under the uint32 address `ip` into `flat` without building its record: true when it is
 * one the columns take as it is (its client key and hardware address ASCII, at most FLAT_MAX_TIMERS timers). False,
 * and `flat` half-filled, for anything else — a JSON value, a damaged one, another address's, other keys —, which the
 * caller decodes as a record (decodeLeaseValue), so what such a value means is decided in one place only.
 */
export function readFlatValue(value: Uint8Array, ip: number, flat: FlatLease): boolean {
  const length = value.length;
  if (length < FIXED || value[0] !== VERSION_1) return false;
  const state = STATES[value[1] as number];
  const flags = value[2] as number;
  const timerCount = value[3] as number;
  if (state === undefined || timerCount > FLAT_MAX_TIMERS) return false;
  const view = new DataView(value.buffer, value.byteOffset, length);
  if (view.getUint32(4) !== ip >>> 0) return false;
  const text = Buffer.from(value.buffer, value.byteOffset, length);
  flat.bytes = value;
  flat.ip = ip >>> 0;
  flat.subnetId = view.getUint32(8);
  flat.state = state;
  for (let i = 0; i < 8; i++) flat.times[i] = view.getFloat64(12 + 8 * i, true);
  let at = 76;
  if ((flags & HAS_HISTORY) !== 0) {
    if (length < at + 16) return false;
    flat.first = view.getFloat64(at, true);
    flat.next = view.getFloat64(at + 8, true);
    at += 16;
  } else {
    flat.first = flat.next = Number.NaN;
  }
  flat.keyStart = at + 2;
  at = asciiFieldEnd(value, view, at);
  flat.keyEnd = at;
  if (at < 0 || flat.keyEnd === flat.keyStart) return false;
  flat.hwStart = at + 2;
  at = asciiFieldEnd(value, view, at);
  flat.hwEnd = at;
  if (at < 0) return false;
  flat.hostname = undefined;
  if ((flags & HAS_HOSTNAME) !== 0) {
    if (at + 2 > length) return false;
    const end = at + 2 + view.getUint16(at, true);
    if (end > length) return false;
    flat.hostname = text.toString('utf8', at + 2, end);
    at = end;
  }
  flat.timerCount = timerCount;
  for (let i = 0; i < timerCount; i++) {
    if (at + 2 > length) return false;
    const end = at + 2 + view.getUint16(at, true);
    if (end + 8 > length) return false;
    flat.timerEvents[i] = eventName(text.toString('utf8', at + 2, end));
    flat.timerAts[i] = view.getFloat64(end, true);
    at = end + 8;
  }
  return at === length;
}

/** Where the string field at `at` ends, or -1 when it runs past the value or is not ASCII. */
function asciiFieldEnd(value: Uint8Array, view: DataView, at: number): number {
  if (at < 0 || at + 2 > value.length) return -1;
  const end = at + 2 + view.getUint16(at, true);
  if (end > value.length) return -1;
  for (let i = at + 2; i < end; i++) if (value[i]! >= 0x80) return -1;
  return end;
}

/** Timer event names repeat across every lease: one string each instead of one per decoded timer. */
const EVENT_NAMES = new Map<string, string>();
const MAX_EVENT_NAMES = 64;

class Reader {
  constructor(
    private readonly bytes: Buffer,
    public at: number,
  ) {}

  double(): number {
    this.need(8);
    const value = this.bytes.readDoubleLE(this.at);
    this.at += 8;
    return value;
  }

  string(): string {
    this.need(2);
    const length = this.bytes.readUInt16LE(this.at);
    this.need(2 + length);
    const text = this.bytes.toString('utf8', this.at + 2, this.at + 2 + length);
    this.at += 2 + length;
    return text;
  }

  event(): string {
    return eventName(this.string());
  }

  private need(length: number): void {
    if (this.at + length > this.bytes.length) throw corrupt('is truncated');
  }
}

function eventName(text: string): string {
  const known = EVENT_NAMES.get(text);
  if (known !== undefined) return known;
  if (EVENT_NAMES.size < MAX_EVENT_NAMES) EVENT_NAMES.set(text, text);
  return text;
}

function dotted(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

function corrupt(problem: string): StoreError {
  return new StoreError('DHCPD_ERR_STORE_CORRUPT', `lease record ${problem}`);
}
