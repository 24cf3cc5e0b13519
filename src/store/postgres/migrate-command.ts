// `actor-dhcpd migrate --config FILE`: brings the PostgreSQL lease database of a config to this daemon's schema.
import pg from 'pg';
import type { ServerConfig } from '../../config/types.js';
import { StoreError } from '../../errors.js';
import { clientConfig, describeDatabase, storeError } from './connection.js';
import { migrate, type MigrateReport } from './migrations.js';

export async function migrateDatabase(config: ServerConfig): Promise<MigrateReport & { readonly database: string }> {
  const postgres = config.store.postgres;
  if (config.store.kind !== 'postgres' || postgres === undefined) {
    throw new StoreError('DHCPD_ERR_STORE_SCHEMA', 'migrate applies to store.kind "postgres" only: this config has none');
  }
  const database = describeDatabase(postgres);
  const client = new pg.Client({ ...clientConfig(postgres, 'actor-dhcpd migrate'), statement_timeout: 0, query_timeout: undefined });
  try {
    await client.connect();
  } catch (error) {
    throw storeError('DHCPD_ERR_STORE_OPEN', `cannot connect to ${database}`, error);
  }
  try {
    return { database, ...(await migrate(client)) };
  } finally {
    await client.end().catch(() => undefined);
  }
}
