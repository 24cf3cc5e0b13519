// Lease time, T1 and T2 for a subnet (RFC 2131 §4.4.5: T1 < T2 < lease; defaults 0.5 and 0.875 x lease).
import type { IssueList, Path } from './issues.js';
import type { WireDefaults, WireSubnet } from './schema.js';

export interface LeaseTimes {
  readonly leaseTime: number;
  readonly renewalTime: number;
  readonly rebindingTime: number;
}

interface Resolved {
  readonly value: number;
  readonly path: Path;
  readonly derived: boolean;
}

const T1_FACTOR = 0.5;
const T2_FACTOR = 0.875;

/**
 * A T1/T2 set on the subnet wins. A subnet that sets only its own leaseTime derives T1/T2 from it, so a
 * short lab lease never collides with a long default T1; otherwise the defaults' T1/T2 (or their derivation) apply.
 */
function resolveTimer(
  field: 'renewalTime' | 'rebindingTime',
  factor: number,
  subnet: WireSubnet,
  defaults: WireDefaults,
  base: Path,
  lease: Resolved,
): Resolved {
  const own = subnet[field];
  if (own !== undefined) return { value: own, path: [...base, field], derived: false };
  const inherited = defaults[field];
  if (subnet.leaseTime === undefined && inherited !== undefined) {
    return { value: inherited, path: ['defaults', field], derived: false };
  }
  return { value: Math.floor(lease.value * factor), path: lease.path, derived: true };
}

export function resolveLeaseTimes(
  subnet: WireSubnet,
  defaults: WireDefaults,
  base: Path,
  issues: IssueList,
): LeaseTimes | undefined {
  const lease: Resolved =
    subnet.leaseTime !== undefined
      ? { value: subnet.leaseTime, path: [...base, 'leaseTime'], derived: false }
      : { value: defaults.leaseTime, path: ['defaults', 'leaseTime'], derived: false };
  const t1 = resolveTimer('renewalTime', T1_FACTOR, subnet, defaults, base, lease);
  const t2 = resolveTimer('rebindingTime', T2_FACTOR, subnet, defaults, base, lease);
  let ok = true;
  const fail = (path: Path, message: string): void => {
    ok = false;
    issues.add(path, message);
  };
  if (t1.value < 1) {
    fail(lease.path, `lease time ${lease.value} s is too short to derive renewalTime (T1)`);
  } else if (t1.value >= t2.value) {
    const where = t1.derived ? t2.path : t1.path;
    fail(where, `renewalTime (T1 = ${t1.value} s) must be less than rebindingTime (T2 = ${t2.value} s)`);
  }
  if (t2.value >= lease.value) {
    const where = t2.derived ? lease.path : t2.path;
    fail(where, `rebindingTime (T2 = ${t2.value} s) must be less than leaseTime (${lease.value} s)`);
  }
  if (!ok) return undefined;
  return { leaseTime: lease.value, renewalTime: t1.value, rebindingTime: t2.value };
}
