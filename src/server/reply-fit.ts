// Fits a reply to the client's maximum message size (RFC 2132 §9.10, option 57, never below 576): option overload
// into file and sname first (RFC 2131 §4.1, RFC 2132 §9.3), then options dropped by priority. A client always
// gets its answer: a reply is never lost because its options do not fit.
import { encode } from '../codec/index.js';
import type { DhcpMessage, DhcpOption } from '../codec/types.js';
import { CodecError } from '../errors.js';

/**
 * Never dropped: the message type, server id, lease times, mask and router make the answer; option 82 is what
 * the relay needs to deliver it (RFC 3046 §2.2 — and the relay strips it before the client sees the reply).
 */
export const PROTECTED_OPTIONS: ReadonlySet<number> = new Set([53, 54, 51, 58, 59, 1, 3, 82]);

export interface FittedReply {
  readonly data: Buffer;
  /** Option codes left out to fit, in the order they were dropped. */
  readonly dropped: readonly number[];
  /** Even the protected options alone did not fit: sent as it is, larger than the client asked for. */
  readonly oversize: boolean;
}

/**
 * The order options are given up in: first those the client did not ask for (the last one first), then the ones it
 * asked for, from the end of its option 55 (RFC 2132 §9.8: the list is in the client's order of preference).
 */
export function dropOrder(options: readonly DhcpOption[], requested: readonly number[]): number[] {
  const droppable = options.map((o) => o.code).filter((code) => !PROTECTED_OPTIONS.has(code));
  const unasked = droppable.filter((code) => !requested.includes(code)).reverse();
  const asked = droppable.filter((code) => requested.includes(code))
    .sort((a, b) => requested.indexOf(b) - requested.indexOf(a));
  return [...unasked, ...asked];
}

/**
 * The reply's bytes when it fits `maxSize` with all its options (nearly every reply: no FittedReply made for it),
 * else undefined: then fitReply, with the client's option 55 (which tries this once more: a rare path).
 */
export function encodeWithin(message: DhcpMessage, maxSize: number): Buffer | undefined {
  return tryEncode(message, maxSize);
}

const NONE_DROPPED: readonly number[] = Object.freeze([]);

/** Encodes `message` within `maxSize` bytes (option 57 less the IP and UDP headers), dropping options as needed. */
export function fitReply(message: DhcpMessage, maxSize: number, requested: readonly number[]): FittedReply {
  // The message as it is first (no copy: the common case fits), then copies with fewer options.
  const first = tryEncode(message, maxSize);
  if (first !== undefined) return { data: first, dropped: NONE_DROPPED, oversize: false };
  const order = dropOrder(message.options, requested);
  let options = message.options;
  for (let n = 0; n < order.length; n++) {
    const code = order[n];
    options = options.filter((o) => o.code !== code);
    const data = tryEncode({ ...message, options }, maxSize);
    if (data !== undefined) return { data, dropped: order.slice(0, n + 1), oversize: false };
  }
  // The protected options alone exceed the limit (a huge option 82, a long router list): the answer still goes,
  // whole and without overload, rather than not at all.
  return { data: encode({ ...message, options }), dropped: order, oversize: true };
}

/** encode's options, one object for every reply (encode is synchronous and keeps nothing of them). */
const ENCODE_OPTIONS = { maxSize: 0, pooled: true };

function tryEncode(message: DhcpMessage, maxSize: number): Buffer | undefined {
  try {
    // Pooled: the reply is sent and dropped; the response cache copies what it keeps.
    ENCODE_OPTIONS.maxSize = maxSize;
    return encode(message, ENCODE_OPTIONS);
  } catch (error) {
    if (error instanceof CodecError && error.code === 'DHCPD_ERR_CODEC_REPLY_TOO_LARGE') return undefined;
    throw error;
  }
}
