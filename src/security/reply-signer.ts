// Signing our own replies under RFC 3118 delayed authentication: a client that authenticated (a REQUEST with a
// valid MAC, or a DISCOVER asking for it, §5.3) gets a reply carrying option 90 with our replay counter and the
// HMAC-MD5 of the reply under the same key (for a DISCOVER, the configured key with the lowest id: §5.4 has the
// server choose). The replay counter is monotonic across restarts: it starts from the wall clock.
import { delayedAuthValue, sign } from './rfc3118.js';

const AUTH_OPTION = 90;
const OPTIONS_START = 240;
const END = 255;
const PAD = 0;

/** Which key a reply to this request is signed with. */
export interface SigningKey {
  readonly secretId: number;
  readonly key: Buffer;
}

export class ReplySigner {
  private last = 0n;

  constructor(private readonly now: () => number) {}

  /** RDM 0: strictly increasing; 2^16 replies per millisecond before it runs ahead of the clock. */
  nextReplay(): bigint {
    const fromClock = BigInt(this.now()) << 16n;
    this.last = fromClock > this.last ? fromClock : this.last + 1n;
    return this.last;
  }

  /** The encoded reply with option 90 added before END and its MAC filled in. */
  sign(reply: Buffer, signing: SigningKey): Buffer {
    const value = delayedAuthValue(this.nextReplay(), signing.secretId);
    return sign(withOption(reply, AUTH_OPTION, value), signing.key);
  }
}

/** Inserts an option where END is, keeping the bytes after it (padding) when they have room. */
function withOption(datagram: Buffer, code: number, value: Buffer): Buffer {
  const end = endOfOptions(datagram);
  const option = Buffer.concat([Buffer.from([code, value.length]), value, Buffer.from([END])]);
  const out = Buffer.alloc(Math.max(datagram.length, end + option.length));
  datagram.copy(out, 0, 0, end);
  option.copy(out, end);
  return out;
}

function endOfOptions(d: Buffer): number {
  let i = OPTIONS_START;
  while (i < d.length && d[i] !== END) i += d[i] === PAD ? 1 : 2 + (d[i + 1] ?? 0);
  if (i >= d.length) throw new TypeError('reply has no END option');
  return i;
}
