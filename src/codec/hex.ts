// Hex text <-> bytes for option values and hardware addresses (table driven, no regexes in the hot path).

const BYTE_HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16));

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** Where toColonHex writes its characters (synchronous: one at a time), for one flat string instead of 2n pieces. */
const hexScratch = Buffer.allocUnsafeSlow(3 * 64);

/** Lower-case colon-separated hex ("01:02:0a"); "" for no bytes. */
export function toColonHex(buf: Uint8Array, start = 0, end = buf.length): string {
  if (end <= start) return '';
  if (end - start > 64) {
    let out = BYTE_HEX[buf[start] ?? 0] ?? '00';
    for (let i = start + 1; i < end; i++) out += ':' + (BYTE_HEX[buf[i] ?? 0] ?? '00');
    return out;
  }
  let at = 0;
  for (let i = start; i < end; i++) {
    const byte = buf[i] as number;
    if (i > start) hexScratch[at++] = 58; // ':'
    hexScratch[at++] = HEX_DIGITS[byte >>> 4] as number;
    hexScratch[at++] = HEX_DIGITS[byte & 15] as number;
  }
  return hexScratch.toString('latin1', 0, at);
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Parses "01:02:0a" (1 or 2 digits per group) or "01020a" (even number of digits); "" is no bytes.
 * Returns undefined for anything else, so the caller can phrase the error.
 */
export function parseHex(s: string): Buffer | undefined {
  if (s.includes(':')) return parseColonHex(s);
  if (s.length % 2 !== 0) return undefined;
  const out = Buffer.alloc(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(s.charCodeAt(2 * i));
    const lo = nibble(s.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[i] = hi * 16 + lo;
  }
  return out;
}

function parseColonHex(s: string): Buffer | undefined {
  const groups = s.split(':');
  const out = Buffer.alloc(groups.length);
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i] ?? '';
    if (g.length === 0 || g.length > 2) return undefined;
    let v = 0;
    for (let j = 0; j < g.length; j++) {
      const n = nibble(g.charCodeAt(j));
      if (n < 0) return undefined;
      v = v * 16 + n;
    }
    out[i] = v;
  }
  return out;
}
