// Option 81, the Client FQDN (RFC 4702 §2): flags, two deprecated RCODE bytes, then the name.
import { decodeCanonicalName, encodeCanonicalName } from './dns-name.js';
import { badValue, expected, isRecord } from './problem.js';

export interface ClientFqdn {
  /** RFC 4702 §2.1: S = 0x01, O = 0x02, E = 0x04 (canonical wire name), N = 0x08. */
  flags: number;
  rcode1: number;
  rcode2: number;
  /** With E: a trailing dot marks a fully-qualified name, none a partial one. Without E: the ASCII text. */
  name: string;
}

export const FQDN_FLAG_S = 0x01;
export const FQDN_FLAG_O = 0x02;
export const FQDN_FLAG_E = 0x04;
export const FQDN_FLAG_N = 0x08;

function byteField(obj: Record<string, unknown>, key: string): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) {
    throw expected(`"${key}" to be an integer from 0 to 255`, v);
  }
  return v;
}

/** RFC 4702 §2.3: the deprecated form is plain ASCII text. */
function encodeAsciiName(name: string): Buffer {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) throw expected('"name" in printable ASCII when the E flag is clear', name);
  }
  return Buffer.from(name, 'latin1');
}

export function encodeClientFqdn(value: unknown): Buffer {
  if (!isRecord(value)) throw expected('an object {flags, rcode1, rcode2, name}', value);
  const flags = byteField(value, 'flags');
  const rcode1 = byteField(value, 'rcode1');
  const rcode2 = byteField(value, 'rcode2');
  const name = value.name;
  if (typeof name !== 'string') throw expected('"name" to be a string', name);
  const nameBytes = flags & FQDN_FLAG_E ? encodeCanonicalName(name) : encodeAsciiName(name);
  return Buffer.concat([Buffer.from([flags, rcode1, rcode2]), nameBytes]);
}

export function decodeClientFqdn(data: Buffer): ClientFqdn {
  if (data.length < 3) throw badValue(`client FQDN needs at least 3 bytes, got ${data.length}`);
  const flags = data[0] as number;
  const rest = data.subarray(3);
  const name = flags & FQDN_FLAG_E ? decodeCanonicalName(rest) : rest.toString('latin1');
  return { flags, rcode1: data[1] as number, rcode2: data[2] as number, name };
}
