// How option value codecs report a bad value: one CodecError code, a reason a person can act on.
import { CodecError } from '../../errors.js';

/** Shows a received value in an error message, bounded in length and safe for any input. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

export function badValue(reason: string): CodecError {
  return new CodecError('DHCPD_ERR_CODEC_BAD_OPTION_VALUE', reason);
}

/** "expected <what>, got <value>" — the usual shape of an encode error. */
export function expected(what: string, value: unknown): CodecError {
  return badValue(`expected ${what}, got ${shown(value)}`);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
