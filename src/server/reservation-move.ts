// A reservation added (or moved) by a reload for a client that holds another address takes effect at the
// client's next renewal: the renewal is NAKed, and its DISCOVER is offered the reserved address rather than its
// old binding (which its ACK then supersedes). Only while the reserved address can be given to it now — held by
// nobody else and not on decline probation — or the client would be NAKed into a pool address again and again.
import { intToIp, ipToInt } from '../codec/index.js';
import type { Reservation } from '../config/types.js';
import { isFinal } from '../leases/states.js';
import type { ServerDeps } from './deps.js';

export function reservedElsewhere(deps: ServerDeps, reservation: Reservation | undefined, clientKey: string, ip: string): boolean {
  if (reservation === undefined || reservation.address === ipToInt(ip)) return false;
  const holder = deps.book.get(intToIp(reservation.address));
  if (holder === undefined || isFinal(holder.state)) return true;
  return holder.context.clientKey === clientKey && holder.state !== 'declined';
}
