// Versioned schema migrations for the PostgreSQL lease store: the SQL files in migrations/postgres/ (NNN_name.sql)
// applied in order by `actor-dhcpd migrate`, each in its own transaction with its version row; and the start-up
// check that refuses a database whose schema this daemon does not know.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { StoreError } from '../../errors.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Serializes migrations run by several servers at once. */
const MIGRATION_LOCK = 7400301;
const VERSION_TABLE = `CREATE TABLE IF NOT EXISTS actor_dhcpd_schema (
  version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`;

/** migrations/postgres of the installed package: found from this module in src/ (tests) or dist/src/. */
export function migrationsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6; up++) {
    const candidate = join(dir, 'migrations', 'postgres');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new StoreError('DHCPD_ERR_STORE_SCHEMA', 'the migrations/postgres directory of actor-dhcpd is missing');
}

export function loadMigrations(dir = migrationsDir()): Migration[] {
  const migrations = readdirSync(dir)
    .map((file) => ({ file, match: /^(\d{3})_([a-z0-9_]+)\.sql$/.exec(file) }))
    .filter((entry) => entry.match !== null)
    .map(({ file, match }) => ({
      version: Number(match![1]),
      name: match![2]!,
      sql: readFileSync(join(dir, file), 'utf8'),
    }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new StoreError('DHCPD_ERR_STORE_SCHEMA', `migration ${m.version} (${m.name}) is out of sequence`);
  });
  return migrations;
}

/** The newest schema version this daemon knows. */
export function knownVersion(migrations = loadMigrations()): number {
  return migrations.length;
}

/** The schema version of the database; 0 when it was never migrated. */
export async function schemaVersion(client: pg.ClientBase): Promise<number> {
  const exists = await client.query<{ present: boolean }>(`SELECT to_regclass('actor_dhcpd_schema') IS NOT NULL AS present`);
  if (exists.rows[0]?.present !== true) return 0;
  const result = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM actor_dhcpd_schema');
  return result.rows[0]?.version ?? 0;
}

export interface MigrateReport {
  readonly from: number;
  readonly to: number;
  readonly applied: readonly string[];
}

/** Applies every migration newer than the database's version; refuses a database newer than this daemon. */
export async function migrate(client: pg.ClientBase, migrations = loadMigrations()): Promise<MigrateReport> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query(VERSION_TABLE);
    const from = await schemaVersion(client);
    refuseNewer(from, migrations.length);
    const applied: string[] = [];
    for (const migration of migrations.filter((m) => m.version > from)) {
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO actor_dhcpd_schema (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new StoreError('DHCPD_ERR_STORE_SCHEMA', `migration ${migration.version} (${migration.name}) failed: ${String(error)}`, { cause: error });
      }
      applied.push(`${String(migration.version).padStart(3, '0')}_${migration.name}`);
    }
    return { from, to: Math.max(from, migrations.length), applied };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
  }
}

/** At start: the database must be at exactly the version this daemon knows. */
export async function checkSchema(client: pg.ClientBase, known = knownVersion()): Promise<void> {
  const version = await schemaVersion(client);
  refuseNewer(version, known);
  if (version < known) {
    throw new StoreError(
      'DHCPD_ERR_STORE_SCHEMA',
      `the lease database has schema version ${version}, this daemon needs ${known}: run actor-dhcpd migrate --config FILE`,
      { details: { version, known } },
    );
  }
}

function refuseNewer(version: number, known: number): void {
  if (version <= known) return;
  throw new StoreError(
    'DHCPD_ERR_STORE_SCHEMA',
    `the lease database has schema version ${version}, newer than this daemon knows (${known}): upgrade actor-dhcpd`,
    { details: { version, known } },
  );
}
