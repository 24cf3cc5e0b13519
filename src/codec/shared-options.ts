// Options whose values repeat from client to client: the message type, the server id, an operating system's
// parameter request list, its maximum message size and vendor class. Each decoded option was an object and a view of
// the message's bytes of its own (~0.1 KB together), held for the whole exchange — most often across a scavenge,
// so promoted and left to the major GC; under perfdhcp five of a DORA's six options are such repeated values. A
// message gets the one shared option for such a value instead. Decoded options are only read (the message's buffers
// are for reading, as its shared zero sname and file are), so sharing one is safe.
//
// A bounded, direct-mapped table keyed by content (code and bytes): a value is shared only once it is in its slot,
// and a slot holding another value gives way only after several misses in a row, so two values that share a slot
// do not replace each other on every message (each replacement costs a copy), and a value no longer sent (an old
// server id) does not keep its slot. decode() is synchronous, so module state is safe.
import type { DhcpOption } from './types.js';

/** Codes whose values are shared by many clients (RFC 2132 §9.2, §9.6-9.8, §9.10, §9.13; RFC 3004; RFC 4578). */
const SHARED_CODES: readonly number[] = [51, 53, 54, 55, 57, 60, 77, 93, 94];
const shared = new Uint8Array(256);
for (const code of SHARED_CODES) shared[code] = 1;

const SLOTS = 256;
/** Longest value shared (a parameter request list is 10-30 bytes, a vendor class 8-40); longer ones get a view. */
const MAX_BYTES = 64;
/** Misses in a row after which a slot's value gives way to the one missing. */
const YIELD_AFTER = 4;

const bytes = new Uint8Array(SLOTS * MAX_BYTES);
const lengths = new Int16Array(SLOTS).fill(-1);
const codes = new Uint8Array(SLOTS);
const misses = new Uint8Array(SLOTS);
const options: (DhcpOption | undefined)[] = new Array<DhcpOption | undefined>(SLOTS).fill(undefined);

/** Whether values of `code` are looked up here at all (a byte read, before any hashing). */
export function isSharedCode(code: number): boolean {
  return shared[code] === 1;
}

/**
 * The shared option for `code` with bytes [start, start + length) of `src`, or undefined: then the caller makes its
 * own (the value is not in the table, or is too long). The shared option's data is a copy: it pins no message.
 */
export function sharedOption(code: number, src: Uint8Array, start: number, length: number): DhcpOption | undefined {
  if (length > MAX_BYTES) return undefined;
  let hash = Math.imul(code ^ (length << 8), 0x01000193);
  for (let i = start; i < start + length; i++) hash = Math.imul(hash ^ (src[i] as number), 0x01000193);
  const slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
  const option = options[slot];
  if (option !== undefined && lengths[slot] === length && codes[slot] === code && holds(slot, src, start, length)) {
    misses[slot] = 0;
    return option;
  }
  if (option !== undefined && ++misses[slot]! < YIELD_AFTER) return undefined;
  return keep(slot, code, src, start, length);
}

function holds(slot: number, src: Uint8Array, start: number, length: number): boolean {
  const base = slot * MAX_BYTES;
  for (let i = 0; i < length; i++) if (bytes[base + i] !== src[start + i]) return false;
  return true;
}

function keep(slot: number, code: number, src: Uint8Array, start: number, length: number): DhcpOption {
  const data = Buffer.allocUnsafeSlow(length);
  const base = slot * MAX_BYTES;
  for (let i = 0; i < length; i++) data[i] = bytes[base + i] = src[start + i] as number;
  const option: DhcpOption = { code, data };
  lengths[slot] = length;
  codes[slot] = code;
  misses[slot] = 0;
  options[slot] = option;
  return option;
}
