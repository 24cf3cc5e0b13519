// Which OFFERs the conflict check probes (RFC 2131 §4.4.1): an address new to the client. Its own current or
// previous lease is not probed (the client itself may still answer for it), nor its reservation (the address is
// the host's by configuration: a host still configured statically with it must not lose its reservation).
import { ipToInt } from '../../codec/index.js';
import type { DhcpRequest } from '../../codec/types.js';
import type { Subnet } from '../../config/types.js';
import type { LeaseRecord } from '../../../machines/lease.types.js';
import type { ServerDeps } from '../deps.js';
import { reservationFor } from '../lease-policy.js';

/** Asked before the offer is held: afterwards the address's record is this offer. */
export function needsConflictCheck(deps: ServerDeps, subnet: Subnet, request: DhcpRequest, clientKey: string, ip: string): boolean {
  if (!deps.config().conflictCheck.enabled) return false;
  if (reservationFor(subnet, request, clientKey)?.address === ipToInt(ip)) return false;
  const record = deps.book.get(ip);
  return record === undefined || !isOwnLease(record, clientKey);
}

/**
 * Offered to the client, or bound to it once. An offer that lapsed unaccepted (reclaimed, never bound, as a
 * conflict found earlier ends) and an address on probation are probed again.
 */
function isOwnLease(record: LeaseRecord, clientKey: string): boolean {
  if (record.context.clientKey !== clientKey || record.state === 'declined') return false;
  return record.state !== 'reclaimed' || record.context.boundAt > 0;
}
