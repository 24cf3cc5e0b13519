// The text of addresses read again and again: a dotted quad or a hardware address is made into a string several
// times per packet (decode, the handlers, the lease book, the log fields), each time a new string of ~0.1-0.3 KB of
// garbage (a colon-hex address is built from 11 pieces). These bounded, direct-mapped tables give back the string
// made last time for the same bytes. Keyed by content, never by object, so a changed buffer cannot get a stale
// string; a miss only replaces one slot. decode() and the accessors are synchronous, so module state is safe.

const IP_SLOTS = 4096;
const ipKeys = new Uint32Array(IP_SLOTS);
const ipTexts: (string | undefined)[] = new Array<string | undefined>(IP_SLOTS).fill(undefined);

/** The dotted quad of a host-order uint32 (taken modulo 2^32). */
export function ipText(value: number): string {
  const v = value >>> 0;
  // The last two octets vary most within a pool; the first two spread pools of different networks.
  const slot = (v ^ (v >>> 12) ^ (v >>> 20)) & (IP_SLOTS - 1);
  const cached = ipTexts[slot];
  if (cached !== undefined && ipKeys[slot] === v) return cached;
  const text = `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  ipKeys[slot] = v;
  ipTexts[slot] = text;
  return text;
}

/** Longest byte string a table keeps (a chaddr is 16 bytes; a client id is usually 7). */
const BYTES_MAX = 32;

/**
 * A bounded, direct-mapped table of texts made from short byte strings (plus a small tag, e.g. the hardware type),
 * for one text function: the table gives back the text made last time for the same tag and bytes in its slot.
 */
export class TextTable {
  private readonly bytes: Uint8Array;
  private readonly lengths: Int16Array;
  private readonly tags: Int32Array;
  private readonly texts: (string | undefined)[];

  constructor(private readonly slots: number, private readonly make: (tag: number, buf: Uint8Array, start: number, end: number) => string) {
    if ((slots & (slots - 1)) !== 0) throw new TypeError('slots must be a power of two');
    this.bytes = new Uint8Array(slots * BYTES_MAX);
    this.lengths = new Int16Array(slots).fill(-1);
    this.tags = new Int32Array(slots);
    this.texts = new Array<string | undefined>(slots).fill(undefined);
  }

  /** The text of bytes [start, end) of `buf` with `tag`; made anew (and not kept) past 32 bytes. */
  text(tag: number, buf: Uint8Array, start: number, end: number): string {
    const length = end - start;
    if (length < 0 || length > BYTES_MAX) return this.make(tag, buf, start, end);
    let hash = Math.imul(length ^ tag, 0x01000193);
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ (buf[i] as number), 0x01000193);
    const slot = (hash ^ (hash >>> 15)) & (this.slots - 1);
    const base = slot * BYTES_MAX;
    const cached = this.texts[slot];
    if (cached !== undefined && this.lengths[slot] === length && this.tags[slot] === tag && this.holds(base, buf, start, length)) return cached;
    const text = this.make(tag, buf, start, end);
    for (let i = 0; i < length; i++) this.bytes[base + i] = buf[start + i] as number;
    this.lengths[slot] = length;
    this.tags[slot] = tag;
    this.texts[slot] = text;
    return text;
  }

  private holds(base: number, buf: Uint8Array, start: number, length: number): boolean {
    for (let i = 0; i < length; i++) if (this.bytes[base + i] !== buf[start + i]) return false;
    return true;
  }
}
