// Pool checks for one subnet: order, containment, network/broadcast exclusion (RFC 950 all-0s/all-1s hosts).
import { intToIp } from '../codec/index.js';
import type { Cidr, Range } from './addr.js';
import { cidrText, poolRange, rangeText } from './addr.js';
import type { IssueList, Path } from './issues.js';
import { formatPath } from './issues.js';
import type { WirePool } from './schema.js';

/** A range with where it came from, for overlap reports. */
export interface PlacedRange extends Range {
  readonly path: Path;
  /** Position in the file, so an overlap is reported at the later of two ranges. */
  readonly order: number;
  /** How the range is written in messages: "a-b" or a CIDR. */
  readonly label: string;
}

/** /31 (RFC 3021) and /32 have no network or broadcast address to keep out of pools. */
export function hasReservedEnds(cidr: Cidr): boolean {
  return cidr.prefixLength <= 30;
}

function checkPool(range: Range, start: Path, end: Path, cidr: Cidr, issues: IssueList): boolean {
  const where = cidrText(cidr.network, cidr.prefixLength);
  const problems: Array<[Path, string]> = [];
  if (range.start > range.end) {
    problems.push([end, `pool end ${intToIp(range.end)} is before its start ${intToIp(range.start)}`]);
  } else {
    if (range.start < cidr.network || range.start > cidr.broadcast) {
      problems.push([start, `${intToIp(range.start)} is outside subnet ${where}`]);
    }
    if (range.end < cidr.network || range.end > cidr.broadcast) {
      problems.push([end, `${intToIp(range.end)} is outside subnet ${where}`]);
    }
    if (problems.length === 0 && hasReservedEnds(cidr)) {
      if (range.start === cidr.network) {
        problems.push([start, `pool includes the network address ${intToIp(cidr.network)}`]);
      }
      if (range.end === cidr.broadcast) {
        problems.push([end, `pool includes the broadcast address ${intToIp(cidr.broadcast)}`]);
      }
    }
  }
  for (const [path, message] of problems) issues.add(path, message);
  return problems.length === 0;
}

/** Checks each pool of a subnet; returns the valid ones (invalid pools are left out of overlap checks). */
export function compilePools(
  pools: readonly WirePool[],
  base: Path,
  cidr: Cidr,
  order: { next: number },
  issues: IssueList,
): PlacedRange[] {
  const placed: PlacedRange[] = [];
  pools.forEach((pool, j) => {
    const path = [...base, 'pools', j];
    const range = poolRange(pool);
    const [start, end] = typeof pool === 'string' ? [path, path] : [[...path, 'start'], [...path, 'end']];
    if (checkPool(range, start, end, cidr, issues)) {
      placed.push({ ...range, path, order: order.next++, label: rangeText(range) });
    }
  });
  return placed;
}

/**
 * Reports every range that overlaps an earlier-swept one, at the range that comes later in the file.
 * Sweep after sorting by start: O(n log n), fine for thousands of subnets.
 */
export function reportOverlaps(ranges: readonly PlacedRange[], what: string, issues: IssueList): void {
  const sorted = [...ranges].sort((a, b) => a.start - b.start || a.end - b.end);
  let widest: PlacedRange | undefined;
  for (const range of sorted) {
    if (widest !== undefined && range.start <= widest.end) {
      const [later, earlier] = range.order > widest.order ? [range, widest] : [widest, range];
      issues.add(later.path, `${what} ${later.label} overlaps ${earlier.label} at ${formatPath(earlier.path)}`);
    }
    if (widest === undefined || range.end > widest.end) widest = range;
  }
}
