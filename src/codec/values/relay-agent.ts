// Option 82, relay agent information (RFC 3046 §2.0): a list of sub-options; 5 is link selection (RFC 3527).
import { toColonHex } from '../hex.js';
import { encodeBytes } from './scalars.js';
import { badValue, expected, isRecord } from './problem.js';

export const RAI_CIRCUIT_ID = 1;
export const RAI_REMOTE_ID = 2;
export const RAI_LINK_SELECTION = 5;

export interface SubOption {
  readonly code: number;
  readonly data: Buffer;
}

/** Parses sub-options; returns a reason string when one runs past the end (kept non-throwing for the hot path). */
export function parseSubOptions(data: Buffer): SubOption[] | string {
  const out: SubOption[] = [];
  for (let pos = 0; pos < data.length; ) {
    if (pos + 1 >= data.length) return `sub-option ${data[pos]} at offset ${pos} has no length byte`;
    const len = data[pos + 1] as number;
    if (pos + 2 + len > data.length) return `sub-option ${data[pos]} at offset ${pos} runs past the end of option 82`;
    out.push({ code: data[pos] as number, data: data.subarray(pos + 2, pos + 2 + len) });
    pos += 2 + len;
  }
  return out;
}

/** JSON form: [{code, data: "hex"}]; `data` may also be a Uint8Array. */
export function encodeRelayAgent(value: unknown): Buffer {
  if (!Array.isArray(value) || value.length === 0) throw expected('a non-empty list of {code, data}', value);
  const parts: Buffer[] = [];
  value.forEach((sub: unknown, i) => {
    if (!isRecord(sub)) throw expected(`{code, data} at index ${i}`, sub);
    const code = sub.code;
    if (typeof code !== 'number' || !Number.isInteger(code) || code < 1 || code > 255) {
      throw expected(`a sub-option code from 1 to 255 at index ${i}`, code);
    }
    const data = encodeBytes(sub.data);
    if (data.length > 255) throw badValue(`sub-option ${code} at index ${i} is ${data.length} bytes, at most 255`);
    parts.push(Buffer.from([code, data.length]), data);
  });
  return Buffer.concat(parts);
}

export function decodeRelayAgent(data: Buffer): { code: number; data: string }[] {
  const subs = parseSubOptions(data);
  if (typeof subs === 'string') throw badValue(subs);
  return subs.map((sub) => ({ code: sub.code, data: toColonHex(sub.data) }));
}
