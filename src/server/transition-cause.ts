// Names the request that moves a lease, for the lease history: its xid and a one-line summary of the message.
import { getIpOption, hwAddressOf, MessageType } from '../codec/index.js';
import type { TransitionCause } from '../leases/transition.js';
import type { RoutedRequest } from '../../machines/transaction.types.js';

const REQUESTED_ADDRESS = 50;

/**
 * Where a summary is written (synchronously, one at a time) before it becomes one flat string: concatenated, its
 * pieces (each already made: the type's name, the interned addresses) were a chain of strings flattened again
 * when the history stored it, twice per DORA. Every piece is ASCII.
 */
const line = Buffer.allocUnsafeSlow(512);
let at = 0;

/** Byte by byte: Buffer.write's call into C++ cost ~0.3 µs a piece, eight or so pieces per summary, two per DORA. */
function put(text: string): void {
  const n = Math.min(text.length, line.length - at);
  for (let i = 0; i < n; i++) line[at + i] = text.charCodeAt(i);
  at += n;
}

/** "DHCPREQUEST from 02:00:5e:10:00:01 for 198.51.100.100 via 203.0.113.1 (ciaddr 198.51.100.100)". */
export function causeOf(packet: RoutedRequest): TransitionCause {
  const { request } = packet;
  at = 0;
  put('DHCP');
  put(MessageType[request.type] ?? String(request.type));
  put(' from ');
  put(hwAddressOf(request));
  const requested = getIpOption(request, REQUESTED_ADDRESS);
  if (requested !== undefined) {
    put(' for ');
    put(requested);
  }
  if (request.giaddr !== '0.0.0.0') {
    put(' via ');
    put(request.giaddr);
  }
  if (request.ciaddr !== '0.0.0.0') {
    put(' (ciaddr ');
    put(request.ciaddr);
    put(')');
  }
  return { xid: request.xid, message: line.toString('latin1', 0, at) };
}
