// Lease facts the handlers share: reservations, lease times, which addresses a client may be given.
import { hwAddressOf, intToIp, ipToInt } from '../codec/index.js';
import type { DhcpMessage } from '../codec/types.js';
import type { Reservation, ServerConfig, Subnet } from '../config/types.js';
import type { LeaseTimes } from '../../machines/lease.machine.js';
import { inPools } from '../allocator/allocator.js';
import type { ServerDeps } from './deps.js';
import type { LeaseTimesSec } from './reply.js';
import { inSubnet } from './subnet-select.js';

export function reservationFor(subnet: Subnet, message: DhcpMessage, clientKey: string): Reservation | undefined {
  // Most subnets reserve nothing: then no identifier text and no search closure per call (a few per request).
  if (subnet.reservations.length === 0) return undefined;
  const clientId = clientKey.startsWith('id:') ? clientKey.slice(3) : undefined;
  const hw = message.htype === 1 ? hwAddressOf(message) : undefined;
  return subnet.reservations.find(
    (r) => (r.clientId !== undefined && r.clientId === clientId) || (r.hwAddress !== undefined && r.hwAddress === hw),
  );
}

function reservedForOther(subnet: Subnet, ip: number, mine: Reservation | undefined): boolean {
  return subnet.reservations.length > 0 && subnet.reservations.some((r) => r.address === ip && r !== mine);
}

/** May this client be given `ip` now: not taken by anyone, not reserved for someone else. */
export function isFreeFor(deps: ServerDeps, subnet: Subnet, mine: Reservation | undefined): (ip: number) => boolean {
  return (ip) => !deps.book.isTaken(intToIp(ip)) && !reservedForOther(subnet, ip, mine);
}

/** Is `ip` still one the client may hold in this subnet (after a config change it may not be). */
export function isAddressValid(subnet: Subnet, ip: string, mine: Reservation | undefined): boolean {
  const n = ipToInt(ip);
  if (!inSubnet(subnet, n)) return false;
  if (mine !== undefined && mine.address === n) return true;
  return inPools(subnet.pools, n) && !reservedForOther(subnet, n, mine);
}

/** The last subnet asked about and its times (read-only): every OFFER and ACK asks, nearly always for the same subnet. */
let timesOf: Subnet | undefined;
let lastTimes: LeaseTimesSec | undefined;

export function leaseTimesSec(subnet: Subnet): LeaseTimesSec {
  // A compiled subnet never changes (a reload compiles new ones), so its identity stands for its times.
  if (subnet === timesOf) return lastTimes!;
  timesOf = subnet;
  lastTimes = Object.freeze({ lease: subnet.leaseTime, renewal: subnet.renewalTime, rebinding: subnet.rebindingTime });
  return lastTimes;
}

export function commitTimes(config: ServerConfig, subnet: Subnet, now: number): LeaseTimes {
  return {
    now,
    leaseMs: subnet.leaseTime * 1000,
    renewMs: subnet.renewalTime * 1000,
    rebindMs: subnet.rebindingTime * 1000,
    graceMs: config.expiryGraceMs,
  };
}
