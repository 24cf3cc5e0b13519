// A string field of the store's binary layouts (lease values, history entries): its UTF-8 byte length as u16 LE,
// then the bytes.

/**
 * Writes `text` at `at` (room for 2 + 3 × its length is the caller's to ensure); returns where it ends. ASCII byte
 * by byte: Buffer.write is a call into C++ (~0.3 µs each) for strings of a few dozen characters; the first other
 * character hands the whole string to it.
 */
export function writeUtf8Field(out: Buffer, at: number, text: string): number {
  const start = at + 2;
  let i = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) break;
    out[start + i] = c;
  }
  const length = i === text.length ? i : out.write(text, start, 'utf8');
  out[at] = length & 0xff;
  out[at + 1] = length >>> 8;
  return start + length;
}
