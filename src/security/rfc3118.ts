// RFC 3118 authentication option (90): parsing, and the delayed-authentication HMAC-MD5 (§5): computed over the
// whole message with hops, giaddr and the MAC field set to zero (relays change the first two in transit).
import { createHmac } from 'node:crypto';

export const AUTH_OPTION = 90;
/** RFC 3118 §5: protocol 2 is delayed authentication; algorithm 1 HMAC-MD5; RDM 0 a monotonically increasing counter. */
export const DELAYED = 2;
export const HMAC_MD5 = 1;
export const RDM_MONOTONIC = 0;
const HEADER = 3 + 8;
const SECRET_ID = 4;
const MAC = 16;
const OPTIONS_START = 240;
const HOPS = 3;
const GIADDR = 24;

export interface AuthOption {
  readonly protocol: number;
  readonly algorithm: number;
  readonly rdm: number;
  readonly replay: bigint;
  /** Delayed authentication with authentication information: the secret id and where the MAC is in the datagram. */
  readonly secretId?: number;
  readonly macOffset?: number;
  readonly length: number;
}

/** The first option 90 in the options field of a datagram; undefined when absent or truncated. */
export function findAuthOption(datagram: Buffer): AuthOption | undefined {
  let i = OPTIONS_START;
  while (i < datagram.length) {
    const code = datagram[i]!;
    if (code === 0) {
      i++;
      continue;
    }
    if (code === 255 || i + 1 >= datagram.length) return undefined;
    const len = datagram[i + 1]!;
    const start = i + 2;
    if (start + len > datagram.length) return undefined;
    if (code === AUTH_OPTION) return len < HEADER ? undefined : parse(datagram, start, len);
    i = start + len;
  }
  return undefined;
}

function parse(d: Buffer, start: number, len: number): AuthOption {
  const base = { protocol: d[start]!, algorithm: d[start + 1]!, rdm: d[start + 2]!, replay: d.readBigUInt64BE(start + 3), length: len };
  if (len !== HEADER + SECRET_ID + MAC) return base;
  return { ...base, secretId: d.readUInt32BE(start + HEADER), macOffset: start + HEADER + SECRET_ID };
}

/** HMAC-MD5 of the datagram with hops, giaddr and the 16-byte MAC field zeroed (RFC 3118 §5, §5.4). */
export function delayedAuthMac(datagram: Buffer, macOffset: number, key: Buffer): Buffer {
  const copy = Buffer.from(datagram);
  copy[HOPS] = 0;
  copy.fill(0, GIADDR, GIADDR + 4);
  copy.fill(0, macOffset, macOffset + MAC);
  return createHmac('md5', key).update(copy).digest();
}

/** Option 90's value for delayed authentication: with a secret id it has a zeroed MAC field to fill by `sign`. */
export function delayedAuthValue(replay: bigint, secretId?: number): Buffer {
  const value = Buffer.alloc(HEADER + (secretId === undefined ? 0 : SECRET_ID + MAC));
  value[0] = DELAYED;
  value[1] = HMAC_MD5;
  value[2] = RDM_MONOTONIC;
  value.writeBigUInt64BE(replay, 3);
  if (secretId !== undefined) value.writeUInt32BE(secretId, HEADER);
  return value;
}

/** Writes the MAC into an encoded datagram whose option 90 carries a secret id (a reply, or a test's request). */
export function sign(datagram: Buffer, key: Buffer): Buffer {
  const auth = findAuthOption(datagram);
  if (auth?.macOffset === undefined) throw new TypeError('no delayed-authentication option with a MAC field');
  delayedAuthMac(datagram, auth.macOffset, key).copy(datagram, auth.macOffset);
  return datagram;
}
