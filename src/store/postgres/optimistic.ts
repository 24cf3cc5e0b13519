// Optimistic concurrency for a lease database shared by several servers: every write names the version of the
// row it was based on (what this server last saw), and wins only if the row is still at that version. Writes of
// one request win or lose together; a write based on this server's own uncommitted write follows that write.
import type { LeaseRecord } from '../../../machines/lease.types.js';
import type { LeaseWrite } from '../types.js';

/** The row a write was based on: its version (seq), null for "no row", or an earlier write of this server. */
export type Basis = number | null | PendingWrite;

/** One request's writes: they are applied together or not at all. */
export interface RequestGroup {
  lost?: { readonly ip: string; readonly holder: string | undefined };
}

export interface PendingWrite {
  readonly write: LeaseWrite;
  readonly ip: string;
  readonly group: RequestGroup;
  basis: Basis;
  state: 'pending' | 'applied' | 'lost' | 'failed';
  /** The version it committed as (applied only). */
  seq?: number;
}

/** The committed row as the check reads it. */
export interface CurrentRow {
  readonly seq: number;
  readonly deleted: boolean;
  readonly clientKey: string;
  readonly record: unknown;
}

export interface BatchOutcome {
  /** Final value per address of the winning writes: a record to put, or null to delete. */
  readonly final: ReadonlyMap<string, LeaseRecord | null>;
  readonly winners: readonly PendingWrite[];
  /** The winners actually written (not no-ops), in batch order: their transitions go into the history. */
  readonly written: readonly PendingWrite[];
  readonly losers: readonly PendingWrite[];
}

/** A failed write never reached the database: what was based on it is based on what it was based on. */
function effectiveBasis(basis: Basis): Basis {
  let b = basis;
  while (b !== null && typeof b === 'object' && b.state === 'failed') b = b.basis;
  return b;
}

type Version = number | null | PendingWrite;

function versionOf(row: CurrentRow | undefined): number | null {
  return row === undefined ? null : row.seq;
}

/** Whether a write based on `basis` may replace the row now at `current`. */
function basedOnCurrent(basis: Basis, current: Version): boolean {
  const b = effectiveBasis(basis);
  if (b === null || typeof b === 'number') return b === current;
  if (b.state === 'lost') return false;
  if (b.state === 'applied') return current === b.seq || current === b;
  return current === b; // pending: applied earlier in this very batch
}

/** A write that would change nothing (two servers firing the same timer) wins without a version check. */
function isNoOp(write: LeaseWrite, row: CurrentRow | undefined): boolean {
  if (row === undefined) return write.kind === 'delete';
  if (write.kind === 'delete') return row.deleted;
  return !row.deleted && sameJson(write.record, row.record);
}

/**
 * Decides which writes of a batch win against the committed rows. A losing write makes its whole request lose,
 * so the check is repeated without that request until it is stable (at most once per request).
 */
export function resolveBatch(writes: readonly PendingWrite[], rows: ReadonlyMap<string, CurrentRow>): BatchOutcome {
  const out = new Set<RequestGroup>();
  for (;;) {
    const versions = new Map<string, Version>();
    const final = new Map<string, LeaseRecord | null>();
    const winners: PendingWrite[] = [];
    const written: PendingWrite[] = [];
    let newLoser: PendingWrite | undefined;
    for (const w of writes) {
      if (out.has(w.group)) continue;
      const row = rows.get(w.ip);
      const current = versions.has(w.ip) ? versions.get(w.ip)! : versionOf(row);
      const based = basedOnCurrent(w.basis, current);
      if (!based && (versions.has(w.ip) || !isNoOp(w.write, row))) {
        newLoser = w;
        break;
      }
      versions.set(w.ip, w);
      // A no-op is not written: the row already says it (and rewriting it would wake every server for nothing).
      if (based) {
        final.set(w.ip, w.write.kind === 'put' ? w.write.record : null);
        written.push(w);
      }
      winners.push(w);
    }
    if (newLoser === undefined) {
      const losers = writes.filter((w) => out.has(w.group));
      return { final, winners, written, losers };
    }
    const row = rows.get(newLoser.ip);
    newLoser.group.lost = { ip: newLoser.ip, holder: row === undefined || row.deleted ? undefined : row.clientKey };
    out.add(newLoser.group);
  }
}

/** Structural equality of JSON values (jsonb does not keep key order). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
