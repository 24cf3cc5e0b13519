// Typed reads of a decoded message's options (RFC 2132 formats) for the hot path: no allocation beyond the result.
import type { DhcpMessage, MessageType } from './types.js';
import { readIp } from './ip.js';
import { toColonHex } from './hex.js';
import { TextTable } from './interned.js';
import { CHADDR_LEN, OPT_MESSAGE_TYPE } from './wire.js';
import { parseSubOptions, type SubOption } from './values/relay-agent.js';

export { intToIp, ipToInt, isIpv4 } from './ip.js';

export function getOption(msg: DhcpMessage, code: number): Buffer | undefined {
  const options = msg.options;
  for (let i = 0; i < options.length; i++) {
    const opt = options[i];
    if (opt !== undefined && opt.code === code) return opt.data;
  }
  return undefined;
}

/** The option as a dotted quad; undefined when absent or not exactly 4 bytes. */
export function getIpOption(msg: DhcpMessage, code: number): string | undefined {
  const data = getOption(msg, code);
  return data !== undefined && data.length === 4 ? readIp(data, 0) : undefined;
}

export function getU8Option(msg: DhcpMessage, code: number): number | undefined {
  const data = getOption(msg, code);
  return data !== undefined && data.length === 1 ? data[0] : undefined;
}

export function getU16Option(msg: DhcpMessage, code: number): number | undefined {
  const data = getOption(msg, code);
  return data !== undefined && data.length === 2 ? data.readUInt16BE(0) : undefined;
}

export function getU32Option(msg: DhcpMessage, code: number): number | undefined {
  const data = getOption(msg, code);
  return data !== undefined && data.length === 4 ? data.readUInt32BE(0) : undefined;
}

/** Option 55 as option codes in the client's order; [] when absent. */
export function getParameterRequestList(msg: DhcpMessage): number[] {
  const data = getOption(msg, 55);
  if (data === undefined) return [];
  // A plain loop: Array.from goes through the iterator protocol, several times slower on this per-reply path.
  const codes = new Array<number>(data.length);
  for (let i = 0; i < data.length; i++) codes[i] = data[i] as number;
  return codes;
}

/** Option 53 when it is one byte with a known value (1..8); undefined otherwise. */
export function messageTypeOf(msg: DhcpMessage): MessageType | undefined {
  const t = getU8Option(msg, OPT_MESSAGE_TYPE);
  return t !== undefined && t >= 1 && t <= 8 ? (t as MessageType) : undefined;
}

/** The first hlen bytes of chaddr as lower-case colon hex ("52:54:00:12:34:56"); hlen is capped at 16. */
/** Hardware addresses' text: asked for several times per packet (client key, reservations, the log), made once per client. */
const hwTexts = new TextTable(1024, (_tag, buf, start, end) => toColonHex(buf, start, end));

export function hwAddressOf(msg: DhcpMessage): string {
  return hwTexts.text(0, msg.chaddr, 0, Math.min(msg.hlen, CHADDR_LEN, msg.chaddr.length));
}

/**
 * Option 61 as lower-case hex without separators ("01525400123456"). Undefined when absent or empty: an empty
 * identifier identifies nobody (RFC 2132 §9.14 sets a minimum length of 2), so callers fall back to chaddr.
 */
export function clientIdHex(msg: DhcpMessage): string | undefined {
  const data = getOption(msg, 61);
  return data === undefined || data.length === 0 ? undefined : data.toString('hex');
}

/** Option 82 sub-options (RFC 3046), views of the option data; undefined when absent or malformed. */
export function relayAgentSubOptions(msg: DhcpMessage): SubOption[] | undefined {
  const data = getOption(msg, 82);
  if (data === undefined) return undefined;
  const subs = parseSubOptions(data);
  return typeof subs === 'string' ? undefined : subs;
}

/**
 * The link the client is on when a relay names it: option 82 sub-option 5 (RFC 3527) first, then option 118
 * (RFC 3011); undefined when neither is a 4-byte address. The caller falls back to giaddr, then the interface.
 */
export function linkSelectionOf(msg: DhcpMessage): string | undefined {
  const subs = relayAgentSubOptions(msg);
  if (subs !== undefined) {
    for (const sub of subs) if (sub.code === 5 && sub.data.length === 4) return readIp(sub.data, 0);
  }
  return getIpOption(msg, 118);
}
