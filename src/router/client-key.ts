// Client identity (RFC 2131 §4.2): option 61 when present, else the hardware type and address.
import { getOption, TextTable, toColonHex } from '../codec/index.js';
import type { DhcpMessage } from '../codec/types.js';
import { CHADDR_LEN } from '../codec/wire.js';

/** The tag of a key made from option 61 (a hardware key's tag is its htype, 0..255). */
const CLIENT_ID = -1;

/** Keys made once per client, not per packet (the router, the response cache and the lease book key by them). */
const keys = new TextTable(1024, (tag, buf, start, end) =>
  tag === CLIENT_ID
    ? `id:${Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('hex')}`
    : `hw:${tag}:${toColonHex(buf, start, end)}`);

export function clientKeyOf(message: DhcpMessage): string {
  // An empty identifier identifies nobody (RFC 2132 §9.14 sets a minimum length of 2): chaddr then.
  const id = getOption(message, 61);
  if (id !== undefined && id.length > 0) return keys.text(CLIENT_ID, id, 0, id.length);
  return keys.text(message.htype, message.chaddr, 0, Math.min(message.hlen, CHADDR_LEN, message.chaddr.length));
}
