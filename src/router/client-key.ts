// Client identity (RFC 2131 §4.2): option 61 when present, else the hardware type and address.
import { clientIdHex, hwAddressOf } from '../codec/index.js';
import type { DhcpMessage } from '../codec/types.js';

export function clientKeyOf(message: DhcpMessage): string {
  const id = clientIdHex(message);
  return id !== undefined ? `id:${id}` : `hw:${message.htype}:${hwAddressOf(message)}`;
}
