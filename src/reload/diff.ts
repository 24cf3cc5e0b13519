// What a reload changes: subnets (by id) and reservations (by subnet and client) added, removed or changed, and
// every other top-level section whose value differs — compared generically, so a section added later (e.g.
// `security`) is reported without this module knowing it.
import { isDeepStrictEqual } from 'node:util';
import type { ConfigDiffSummary } from '../config/reload-report.js';
import type { Reservation, ServerConfig, Subnet } from '../config/types.js';

/** Compiled names of sections whose file names differ (seconds in the file, milliseconds once compiled). */
const FILE_NAMES: Readonly<Record<string, string>> = {
  offerHoldMs: 'offerHoldSeconds',
  expiryGraceMs: 'expiryGraceSeconds',
  declineProbationMs: 'declineProbationSeconds',
};

/** "1/02:00:5e:10:00:10" for a reservation by MAC, "1/id:01020…" for one by client identifier. */
export function reservationKey(subnetId: number, r: Reservation): string {
  return `${subnetId}/${r.hwAddress ?? `id:${r.clientId ?? ''}`}`;
}

function reservationMap(subnets: readonly Subnet[]): Map<string, Reservation> {
  const map = new Map<string, Reservation>();
  for (const s of subnets) for (const r of s.reservations) map.set(reservationKey(s.id, r), r);
  return map;
}

function diffReservations(before: readonly Subnet[], after: readonly Subnet[]): ConfigDiffSummary['reservations'] {
  const old = reservationMap(before);
  const now = reservationMap(after);
  // A reservation whose address or host name changed is reported as removed and added again.
  const added = [...now].filter(([k, r]) => !isDeepStrictEqual(old.get(k), r)).map(([k]) => k);
  const removed = [...old].filter(([k, r]) => !isDeepStrictEqual(now.get(k), r)).map(([k]) => k);
  return { added, removed };
}

function diffSubnets(before: readonly Subnet[], after: readonly Subnet[]): ConfigDiffSummary['subnets'] {
  const old = new Map(before.map((s) => [s.id, s]));
  const now = new Map(after.map((s) => [s.id, s]));
  return {
    added: after.filter((s) => !old.has(s.id)).map((s) => s.id),
    removed: before.filter((s) => !now.has(s.id)).map((s) => s.id),
    changed: after.filter((s) => old.has(s.id) && !isDeepStrictEqual(old.get(s.id), s)).map((s) => s.id),
  };
}

function diffSections(before: ServerConfig, after: ServerConfig): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  keys.delete('subnets');
  const a = before as unknown as Record<string, unknown>;
  const b = after as unknown as Record<string, unknown>;
  return [...keys].filter((k) => !isDeepStrictEqual(a[k], b[k])).map((k) => FILE_NAMES[k] ?? k);
}

export function diffConfigs(before: ServerConfig, after: ServerConfig): ConfigDiffSummary {
  return {
    subnets: diffSubnets(before.subnets, after.subnets),
    reservations: diffReservations(before.subnets, after.subnets),
    sections: diffSections(before, after),
  };
}

export function isEmptyDiff(diff: ConfigDiffSummary): boolean {
  const { subnets, reservations, sections } = diff;
  return subnets.added.length + subnets.removed.length + subnets.changed.length
    + reservations.added.length + reservations.removed.length + sections.length === 0;
}
