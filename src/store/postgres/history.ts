// The lease history in PostgreSQL (migration 002's lease_history): the transitions of a batch's written leases go
// into the batch's own transaction as one multi-row INSERT, then one DELETE trims the touched addresses to
// `perLease` rows; an hourly sweep deletes what is older than the retention — the same bounds as the LevelDB log.
import type pg from 'pg';
import type { LeaseTransition } from '../../../machines/lease.types.js';
import type { HistoryOptions } from '../history-log.js';
import type { PendingWrite } from './optimistic.js';

const INSERT = `INSERT INTO lease_history (ip, at, transition, written_by)
  SELECT u.ip, to_timestamp(u.at_ms / 1000.0), u.transition, $4
  FROM unnest($1::inet[], $2::float8[], $3::jsonb[]) WITH ORDINALITY AS u(ip, at_ms, transition, n)
  ORDER BY u.n`;
/** Keeps the newest `$2` rows of each address of `$1`. */
const TRIM = `DELETE FROM lease_history WHERE id IN (
  SELECT id FROM (
    SELECT id, row_number() OVER (PARTITION BY ip ORDER BY id DESC) AS newer FROM lease_history WHERE ip = ANY($1::inet[])
  ) ranked WHERE newer > $2)`;
const READ = `SELECT transition FROM lease_history WHERE ip = $1::inet ORDER BY id DESC LIMIT $2`;
const SWEEP = `DELETE FROM lease_history WHERE at < to_timestamp($1 / 1000.0)`;

export class PostgresHistory {
  readonly perLease: number;
  readonly retentionMs: number;

  constructor(options: HistoryOptions = {}) {
    this.perLease = options.perLease ?? 64;
    this.retentionMs = options.retentionMs ?? 30 * 86_400_000;
  }

  /** Inside the batch's transaction: the written puts' transitions (at most perLease each), then the trim. */
  async write(client: pg.ClientBase, written: readonly PendingWrite[], serverName: string): Promise<void> {
    const rows: { ip: string; transition: LeaseTransition }[] = [];
    const touched = new Set<string>();
    for (const { write, ip } of written) {
      if (write.kind !== 'put' || write.transitions === undefined || write.transitions.length === 0) continue;
      touched.add(ip);
      for (const transition of write.transitions.slice(-this.perLease)) rows.push({ ip, transition });
    }
    if (rows.length === 0) return;
    await client.query(INSERT, [
      rows.map((r) => r.ip),
      rows.map((r) => r.transition.at),
      rows.map((r) => JSON.stringify(r.transition)),
      serverName,
    ]);
    await client.query(TRIM, [[...touched], this.perLease]);
  }

  /** The address's transitions, oldest first: at most `limit` of the newest. Unreadable entries are skipped. */
  async read(pool: pg.Pool, ip: string, limit = this.perLease): Promise<LeaseTransition[]> {
    const result = await pool.query<{ transition: unknown }>(READ, [ip, limit]);
    return result.rows.map((row) => row.transition).filter(isTransition).reverse();
  }

  /** Deletes every transition older than the retention; returns how many. */
  async sweep(pool: pg.Pool, now: number): Promise<number> {
    const result = await pool.query(SWEEP, [now - this.retentionMs]);
    return result.rowCount ?? 0;
  }
}

/** jsonb arrives parsed; a row an operator edited into something else is skipped. */
function isTransition(value: unknown): value is LeaseTransition {
  const entry = value as Partial<LeaseTransition> | null;
  return typeof entry === 'object' && entry !== null && typeof entry.at === 'number' && typeof entry.to === 'string';
}
