// Reservations of one subnet: one client key each, address inside the subnet, no duplicates.
import type { Reservation } from './types.js';
import { intToIp, ipToInt } from '../codec/index.js';
import type { Cidr } from './addr.js';
import { cidrText, normalizeClientId, normalizeHwAddress } from './addr.js';
import type { IssueList, Path } from './issues.js';
import { formatPath } from './issues.js';
import { hasReservedEnds } from './pools.js';
import type { WireReservation } from './schema.js';

interface Seen {
  readonly address: Map<number, Path>;
  readonly hwAddress: Map<string, Path>;
  readonly clientId: Map<string, Path>;
}

function checkAddress(address: number, path: Path, cidr: Cidr, seen: Seen, issues: IssueList): boolean {
  const text = intToIp(address);
  if (address < cidr.network || address > cidr.broadcast) {
    issues.add(path, `${text} is outside subnet ${cidrText(cidr.network, cidr.prefixLength)}`);
    return false;
  }
  if (hasReservedEnds(cidr) && (address === cidr.network || address === cidr.broadcast)) {
    const which = address === cidr.network ? 'network' : 'broadcast';
    issues.add(path, `${text} is the subnet's ${which} address`);
    return false;
  }
  const earlier = seen.address.get(address);
  if (earlier !== undefined) {
    issues.add(path, `${text} is already reserved by ${formatPath(earlier)}`);
    return false;
  }
  seen.address.set(address, path.slice(0, -1));
  return true;
}

function checkKey(kind: 'hwAddress' | 'clientId', key: string, base: Path, seen: Seen, issues: IssueList): boolean {
  const earlier = seen[kind].get(key);
  if (earlier !== undefined) {
    issues.add([...base, kind], `${kind} ${key} already has a reservation at ${formatPath(earlier)}`);
    return false;
  }
  seen[kind].set(key, base);
  return true;
}

function compileOne(wire: WireReservation, base: Path, cidr: Cidr, seen: Seen, issues: IssueList) {
  if ((wire.hwAddress === undefined) === (wire.clientId === undefined)) {
    issues.add(base, 'set exactly one of hwAddress or clientId');
    return undefined;
  }
  const address = ipToInt(wire.address);
  let ok = checkAddress(address, [...base, 'address'], cidr, seen, issues);
  const reservation: { -readonly [K in keyof Reservation]: Reservation[K] } = { address };
  if (wire.hwAddress !== undefined) {
    reservation.hwAddress = normalizeHwAddress(wire.hwAddress);
    ok = checkKey('hwAddress', reservation.hwAddress, base, seen, issues) && ok;
  } else if (wire.clientId !== undefined) {
    reservation.clientId = normalizeClientId(wire.clientId);
    ok = checkKey('clientId', reservation.clientId, base, seen, issues) && ok;
  }
  if (wire.hostname !== undefined) reservation.hostname = wire.hostname;
  return ok ? reservation : undefined;
}

/** Reservations may sit inside or outside pools; the allocator must not offer a reserved address to anyone else. */
export function compileReservations(
  reservations: readonly WireReservation[],
  base: Path,
  cidr: Cidr,
  issues: IssueList,
): Reservation[] {
  const seen: Seen = { address: new Map(), hwAddress: new Map(), clientId: new Map() };
  const out: Reservation[] = [];
  reservations.forEach((wire, k) => {
    const compiled = compileOne(wire, [...base, 'reservations', k], cidr, seen, issues);
    if (compiled !== undefined) out.push(compiled);
  });
  return out;
}
