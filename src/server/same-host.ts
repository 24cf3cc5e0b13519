// A reservation by MAC belongs to the host, whatever client identifier it uses (issue 9): PXE firmware, an
// installer and the installed system's client may each send a different option 61, or none (RFC 2132 §9.14).
import { hwAddressOf, intToIp } from '../codec/index.js';
import type { DhcpMessage } from '../codec/types.js';
import type { Reservation } from '../config/types.js';
import type { LeaseRecord } from '../../machines/lease.types.js';

/**
 * Is the holder of a reserved address the very host the reservation names, under another client key: the
 * reservation is by hwAddress, and both the holder's chaddr and this request's are that MAC. A declined address
 * is not taken over (someone answered ARP for it); a genuinely different client never is.
 */
export function isSameHost(holder: LeaseRecord, reservation: Reservation | undefined, request: DhcpMessage): boolean {
  const mac = reservation?.hwAddress;
  if (mac === undefined || request.htype !== 1 || holder.state === 'declined') return false;
  return intToIp(reservation!.address) === holder.context.ip && holder.context.hwAddress === mac && hwAddressOf(request) === mac;
}
