// The DHCP message type (option 53) read straight from a received datagram, without decoding it: what overload
// control needs to tell a DISCOVER (new work) from the rest before it spends anything on the datagram.
const OPTIONS_AT = 240; // fixed header (236) + magic cookie (4), RFC 2131 §3
const MAGIC_COOKIE = 0x63825363;
const PAD = 0;
const END = 255;
const MESSAGE_TYPE = 53;

/** Option 53's value in bytes[offset, offset + length), or 0 when absent or malformed (the decoder says why later). */
export function peekMessageType(bytes: Uint8Array, offset: number, length: number): number {
  if (length < OPTIONS_AT + 3) return 0;
  const at = offset + OPTIONS_AT - 4;
  const cookie = ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
  if (cookie !== MAGIC_COOKIE) return 0;
  const end = offset + length;
  // Each step moves forward by at least one byte: bounded by the datagram's length.
  for (let i = offset + OPTIONS_AT; i < end;) {
    const code = bytes[i]!;
    if (code === PAD) {
      i++;
      continue;
    }
    if (code === END || i + 1 >= end) return 0;
    const size = bytes[i + 1]!;
    if (code === MESSAGE_TYPE) return size === 1 && i + 2 < end ? bytes[i + 2]! : 0;
    i += 2 + size;
  }
  return 0;
}
