// The SQL of the PostgreSQL lease store, in one place: reads, the version check and the multi-row writes.

/** Serializes every change to leases (the same key as the numbering trigger of migration 001). */
export const CHANGE_LOCK = 7400302;

const RECORD_COLUMNS = 'host(ip) AS ip, seq, deleted, client_key, record::text AS record';

export const SQL = {
  get: `SELECT ${RECORD_COLUMNS} FROM leases WHERE ip = $1::inet AND NOT deleted`,
  /** Keyset pages in address order. */
  loadPage: `SELECT ${RECORD_COLUMNS} FROM leases
    WHERE ($1::inet IS NULL OR ip > $1::inet) AND NOT deleted ORDER BY leases.ip LIMIT $2`,
  /** The change feed: everything committed after the last version seen, in commit order. */
  changesSince: `SELECT ${RECORD_COLUMNS}, written_by,
    extract(epoch FROM clock_timestamp() - written_at) * 1000 AS lag_ms FROM leases WHERE seq > $1 ORDER BY seq LIMIT $2`,
  lastChange: `SELECT coalesce(max(seq), 0) AS seq FROM leases`,
  lock: `SELECT pg_advisory_xact_lock(${CHANGE_LOCK})`,
  /** The rows a batch touches, with the version each write is checked against. */
  current: `SELECT host(ip) AS ip, seq, deleted, client_key, record FROM leases WHERE ip = ANY($1::inet[])`,
  /** One statement for every put of a batch. */
  upsert: `INSERT INTO leases (ip, subnet_id, client_key, state, record, expires_at, written_by, seq)
    SELECT u.ip, u.subnet_id, u.client_key, u.state, u.record, to_timestamp(u.expires_ms / 1000.0), $7, 0
    FROM unnest($1::inet[], $2::int[], $3::text[], $4::text[], $5::jsonb[], $6::float8[])
      AS u(ip, subnet_id, client_key, state, record, expires_ms)
    ON CONFLICT (ip) DO UPDATE SET subnet_id = EXCLUDED.subnet_id, client_key = EXCLUDED.client_key,
      state = EXCLUDED.state, record = EXCLUDED.record, expires_at = EXCLUDED.expires_at, deleted = false,
      written_by = EXCLUDED.written_by
    RETURNING host(ip) AS ip, seq`,
  /** One statement for every delete of a batch: tombstones, so other servers hear of them. */
  tombstone: `UPDATE leases SET deleted = true, written_by = $2 WHERE ip = ANY($1::inet[]) AND NOT deleted
    RETURNING host(ip) AS ip, seq`,
} as const;

export interface RecordRow {
  readonly ip: string;
  /** bigint arrives as a string from pg. */
  readonly seq: string;
  readonly deleted: boolean;
  readonly client_key: string;
  readonly record: string;
}

export interface ChangeRow extends RecordRow {
  readonly written_by: string;
  /** From the writing transaction's start to this read, by the database's clock (numeric arrives as a string). */
  readonly lag_ms: string;
}

export interface CurrentRowWire {
  readonly ip: string;
  readonly seq: string;
  readonly deleted: boolean;
  readonly client_key: string;
  readonly record: unknown;
}
