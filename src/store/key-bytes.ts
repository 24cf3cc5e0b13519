// The root-database keys of a commit's writes as bytes, each written into one buffer kept for it: a lease key
// ("!lease!" + 8 hex digits of the address) and a history key ("!history!" + the same + "!" + 12 hex digits of the
// sequence) cost no string per write. As strings each was a concatenation (a ConsString) that the native batch then
// flattened into a second string, and the history key took three more (toString, padStart, the template); these
// bytes are the same as those strings' UTF-8 (every character is ASCII). The buffer is written again by the next
// call: a key is valid until then, which is all a batch put needs (classic-level copies it at once).

const HEX = new Uint8Array([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]); // 0-9a-f
const ADDRESS_DIGITS = 8;
const SEQ_DIGITS = 12;
/** The highest sequence 12 hex digits hold, plus one. */
const SEQ_LIMIT = 16 ** SEQ_DIGITS;
const BANG = 0x21;

/** `digits` lowercase hex digits of `value` (a non-negative integer below 16^digits), into `out` at `at`. */
function writeHex(out: Uint8Array, at: number, value: number, digits: number): void {
  // Two halves of at most 6 digits (24 bits) each: bit operations hold 32 bits, a sequence needs 48.
  const high = Math.floor(value / 0x1000000);
  let low = value - high * 0x1000000;
  let end = at + digits;
  for (let i = 0; i < Math.min(6, digits); i++) {
    out[--end] = HEX[low & 15]!;
    low >>>= 4;
  }
  let rest = high;
  while (end > at) {
    out[--end] = HEX[rest & 15]!;
    rest >>>= 4;
  }
}

function withPrefix(prefix: string, rest: number): Uint8Array {
  const out = new Uint8Array(prefix.length + rest);
  for (let i = 0; i < prefix.length; i++) {
    const c = prefix.charCodeAt(i);
    if (c > 0x7f) throw new TypeError(`a key prefix must be ASCII: ${JSON.stringify(prefix)}`);
    out[i] = c;
  }
  return out;
}

/** Lease keys under a sublevel's prefix ("!lease!"). */
export class LeaseKeyBytes {
  private readonly out: Uint8Array;
  private readonly at: number;

  constructor(prefix: string) {
    this.out = withPrefix(prefix, ADDRESS_DIGITS);
    this.at = prefix.length;
  }

  /** The key of the uint32 address; valid until the next call. */
  of(ip: number): Uint8Array {
    writeHex(this.out, this.at, ip >>> 0, ADDRESS_DIGITS);
    return this.out;
  }
}

/** History keys under a sublevel's prefix ("!history!"): "<address key>!<sequence>". */
export class HistoryKeyBytes {
  private readonly out: Uint8Array;
  private readonly at: number;

  constructor(prefix: string) {
    this.out = withPrefix(prefix, ADDRESS_DIGITS + 1 + SEQ_DIGITS);
    this.at = prefix.length;
    this.out[this.at + ADDRESS_DIGITS] = BANG;
  }

  /** The key of the uint32 address's entry `seq`; valid until the next call. */
  of(ip: number, seq: number): Uint8Array {
    if (!Number.isSafeInteger(seq) || seq < 0 || seq >= SEQ_LIMIT) throw new RangeError(`history sequence out of range: ${seq}`);
    writeHex(this.out, this.at, ip >>> 0, ADDRESS_DIGITS);
    writeHex(this.out, this.at + ADDRESS_DIGITS + 1, seq, SEQ_DIGITS);
    return this.out;
  }
}
