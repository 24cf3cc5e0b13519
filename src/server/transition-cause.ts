// Names the request that moves a lease, for the lease history: its xid and a one-line summary of the message.
import { getIpOption, hwAddressOf, MessageType } from '../codec/index.js';
import type { TransitionCause } from '../leases/transition.js';
import type { RoutedRequest } from '../../machines/transaction.types.js';

const REQUESTED_ADDRESS = 50;

/** "DHCPREQUEST from 02:00:5e:10:00:01 for 198.51.100.100 via 203.0.113.1 (ciaddr 198.51.100.100)". */
export function causeOf(packet: RoutedRequest): TransitionCause {
  const { request } = packet;
  // Concatenated, not joined from an array of parts: made twice per DORA.
  let message = `DHCP${MessageType[request.type] ?? request.type} from ${hwAddressOf(request)}`;
  const requested = getIpOption(request, REQUESTED_ADDRESS);
  if (requested !== undefined) message += ` for ${requested}`;
  if (request.giaddr !== '0.0.0.0') message += ` via ${request.giaddr}`;
  if (request.ciaddr !== '0.0.0.0') message += ` (ciaddr ${request.ciaddr})`;
  return { xid: request.xid, message };
}
