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

const HW_SLOTS = 1024;
/** At most 16 bytes (chaddr) per slot; longer input is not cached. */
const HW_MAX = 16;
const hwBytes = new Uint8Array(HW_SLOTS * HW_MAX);
const hwLengths = new Uint8Array(HW_SLOTS);
const hwTexts: (string | undefined)[] = new Array<string | undefined>(HW_SLOTS).fill(undefined);

/**
 * `make(buf, start, end)`'s text for bytes [start, end) of `buf`, from the table when the same bytes were seen last
 * in their slot. `make` must be a pure function of the bytes (one table serves one function: colon hex).
 */
export function bytesText(buf: Uint8Array, start: number, end: number, make: (buf: Uint8Array, start: number, end: number) => string): string {
  const length = end - start;
  if (length <= 0 || length > HW_MAX) return make(buf, start, end);
  let hash = length;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ (buf[i] as number), 0x01000193);
  const slot = (hash ^ (hash >>> 15)) & (HW_SLOTS - 1);
  const cached = hwTexts[slot];
  const base = slot * HW_MAX;
  if (cached !== undefined && hwLengths[slot] === length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (hwBytes[base + i] !== buf[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return cached;
  }
  const text = make(buf, start, end);
  for (let i = 0; i < length; i++) hwBytes[base + i] = buf[start + i] as number;
  hwLengths[slot] = length;
  hwTexts[slot] = text;
  return text;
}
