// Option overload on encode: spill options into `file` then `sname` (RFC 2131 §4.1, RFC 2132 §9.3, RFC 3396 §6).
import type { DhcpMessage, DhcpOption } from './types.js';
import { wireLength, writeInstances } from './instances.js';
import {
  FILE_LEN, FILE_OFFSET, MAX_INSTANCE_LEN, OPT_END, OPT_MESSAGE_TYPE, OPT_OVERLOAD, OPT_SERVER_ID, OPTIONS_OFFSET,
  OVERLOAD_FILE, OVERLOAD_SNAME, SNAME_LEN, SNAME_OFFSET,
} from './wire.js';

/** One area that can hold options; `end` is exclusive and leaves room for the END byte. */
interface Region {
  readonly start: number;
  readonly end: number;
  readonly flag: number;
}

function isZero(buf: Buffer): boolean {
  for (let i = 0; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}

/** Options 53 and 54 first (they must stay in the options field, RFC 2131 §4.1), option 52 dropped. */
function orderForOverload(options: readonly DhcpOption[]): DhcpOption[] {
  const pinned: DhcpOption[] = [];
  const rest: DhcpOption[] = [];
  for (const opt of options) {
    if (opt.code === OPT_MESSAGE_TYPE || opt.code === OPT_SERVER_ID) pinned.push(opt);
    else if (opt.code !== OPT_OVERLOAD) rest.push(opt);
  }
  return pinned.concat(rest);
}

function regionsFor(msg: DhcpMessage, limit: number): Region[] {
  // 3 bytes at the head of the options field are kept for option 52 itself.
  const regions: Region[] = [{ start: OPTIONS_OFFSET + 3, end: limit - 1, flag: 0 }];
  if (isZero(msg.file)) regions.push({ start: FILE_OFFSET, end: FILE_OFFSET + FILE_LEN - 1, flag: OVERLOAD_FILE });
  if (isZero(msg.sname)) regions.push({ start: SNAME_OFFSET, end: SNAME_OFFSET + SNAME_LEN - 1, flag: OVERLOAD_SNAME });
  return regions;
}

/** Where the layout stands: the current area and position, and what has been decided so far. */
interface Cursor {
  readonly regions: readonly Region[];
  r: number;
  pos: number;
  /** End of the options field (after its END), once known. */
  mainEnd: number;
  overload: number;
}

/** Closes the current area with END and moves to the next one; false when there is none. */
function advance(buf: Buffer, cur: Cursor): boolean {
  buf[cur.pos] = OPT_END;
  if (cur.r === 0) cur.mainEnd = cur.pos + 1;
  cur.r++;
  const region = cur.regions[cur.r];
  if (region === undefined) return false;
  cur.overload |= region.flag;
  cur.pos = region.start;
  return true;
}

/** Places one option; false when it cannot be placed. */
function place(buf: Buffer, cur: Cursor, opt: DhcpOption): boolean {
  const region = cur.regions[cur.r] as Region;
  const need = wireLength(opt.data.length);
  if (cur.pos + need <= region.end) {
    cur.pos = writeInstances(buf, cur.pos, opt.code, opt.data);
    return true;
  }
  if (opt.code === OPT_MESSAGE_TYPE || opt.code === OPT_SERVER_ID) return false;
  const following = cur.regions[cur.r + 1];
  if (following !== undefined && need <= following.end - following.start) {
    advance(buf, cur);
    cur.pos = writeInstances(buf, cur.pos, opt.code, opt.data);
    return true;
  }
  if (opt.data.length === 0) return false;
  // RFC 3396 §6: split it, filling this area and going on in the next ones.
  for (let offset = 0; offset < opt.data.length; ) {
    const room = (cur.regions[cur.r] as Region).end - cur.pos;
    if (room < 3) {
      if (!advance(buf, cur)) return false;
      continue;
    }
    const len = Math.min(MAX_INSTANCE_LEN, room - 2, opt.data.length - offset);
    cur.pos = writeInstances(buf, cur.pos, opt.code, opt.data.subarray(offset, offset + len));
    offset += len;
  }
  return true;
}

/**
 * Lays the options of `msg` out over the options field, then file, then sname, in order, so that decoding
 * (which concatenates in that same order) gives the options back in this order. An option moves whole to the next
 * area when it fits there; otherwise it is split across areas (RFC 3396 allows splitting for overload).
 * Writes into `buf` (header already written, zero-filled). Returns the end of the options field, or -1 if the
 * options do not fit.
 */
export function layoutOverloaded(buf: Buffer, msg: DhcpMessage, limit: number): number {
  const regions = regionsFor(msg, limit);
  const cur: Cursor = { regions, r: 0, pos: (regions[0] as Region).start, mainEnd: -1, overload: 0 };
  for (const opt of orderForOverload(msg.options)) if (!place(buf, cur, opt)) return -1;
  buf[cur.pos] = OPT_END;
  if (cur.r === 0) cur.mainEnd = cur.pos + 1;
  // Left as three PAD bytes in the impossible case that nothing spilled, since 52 = 0 is not a legal value.
  if (cur.overload !== 0) {
    buf[OPTIONS_OFFSET] = OPT_OVERLOAD;
    buf[OPTIONS_OFFSET + 1] = 1;
    buf[OPTIONS_OFFSET + 2] = cur.overload;
  }
  return cur.mainEnd;
}
