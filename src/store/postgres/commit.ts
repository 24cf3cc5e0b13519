// One group-commit batch on PostgreSQL: a transaction holding the change lock, the version check of the rows the
// batch touches, then one multi-row statement for the puts and one for the deletes, the history, and COMMIT.
import type pg from 'pg';
import type { LeaseRecord } from '../../../machines/lease.types.js';
import { storeError, withClient } from './connection.js';
import type { BatchOutcome, PendingWrite } from './optimistic.js';
import { SQL, type CurrentRowWire } from './statements.js';

export interface CommitSteps {
  /** Decides the winners against the current rows (inside the lock). */
  readonly resolve: (rows: readonly CurrentRowWire[]) => BatchOutcome;
  /** More writes of the same transaction after the leases' (their history). */
  readonly alsoWrite?: (client: pg.PoolClient, outcome: BatchOutcome) => Promise<void>;
  /** After COMMIT: the new version of every written address, and the rows the check read. */
  readonly committed: (outcome: BatchOutcome, seqs: ReadonlyMap<string, number>, rows: readonly CurrentRowWire[]) => void;
}

export async function commitBatch(pool: pg.Pool, serverName: string, writes: readonly PendingWrite[], steps: CommitSteps): Promise<void> {
  try {
    await withClient(pool, async (client) => {
      await client.query('BEGIN');
      try {
        await transaction(client, serverName, writes, steps);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  } catch (error) {
    throw storeError('DHCPD_ERR_STORE_WRITE', 'lease database write failed', error);
  }
}

async function transaction(client: pg.PoolClient, serverName: string, writes: readonly PendingWrite[], steps: CommitSteps): Promise<void> {
  await client.query(SQL.lock);
  const ips = [...new Set(writes.map((w) => w.ip))];
  const rows = (await client.query<CurrentRowWire>(SQL.current, [ips])).rows;
  const outcome = steps.resolve(rows);
  const seqs = new Map<string, number>();
  const puts = [...outcome.final].filter((e): e is [string, LeaseRecord] => e[1] !== null);
  const deletes = [...outcome.final].filter(([, r]) => r === null).map(([ip]) => ip);
  if (puts.length > 0) {
    const result = await client.query<{ ip: string; seq: string }>(SQL.upsert, upsertParams(puts, serverName));
    for (const r of result.rows) seqs.set(r.ip, Number(r.seq));
  }
  if (deletes.length > 0) {
    const result = await client.query<{ ip: string; seq: string }>(SQL.tombstone, [deletes, serverName]);
    for (const r of result.rows) seqs.set(r.ip, Number(r.seq));
  }
  await steps.alsoWrite?.(client, outcome);
  await client.query('COMMIT');
  steps.committed(outcome, seqs, rows);
}

function upsertParams(puts: readonly [string, LeaseRecord][], serverName: string): unknown[] {
  return [
    puts.map(([ip]) => ip),
    puts.map(([, r]) => r.context.subnetId),
    puts.map(([, r]) => r.context.clientKey),
    puts.map(([, r]) => r.state),
    puts.map(([, r]) => JSON.stringify(r)),
    puts.map(([, r]) => r.context.expiresAt),
    serverName,
  ];
}
