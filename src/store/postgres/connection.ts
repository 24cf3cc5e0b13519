// Connection settings for the PostgreSQL lease store (store.postgres) and the mapping of driver errors to the
// error model: an unreachable or failing database is a store error like a failing disk.
import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { PostgresConfig } from '../../config/types.js';
import { StoreError, type ErrorCode } from '../../errors.js';

export type { PostgresConfig };

/** pg's client config for store.postgres: a connection string, or its parts. */
export function clientConfig(config: PostgresConfig, applicationName: string): pg.ClientConfig {
  const common: pg.ClientConfig = {
    application_name: applicationName,
    connectionTimeoutMillis: config.connectTimeoutMs,
    statement_timeout: config.statementTimeoutMs,
    query_timeout: config.statementTimeoutMs + 1000,
    keepAlive: true,
  };
  if (config.connectionString !== undefined) return { ...common, connectionString: config.connectionString };
  return {
    ...common,
    host: config.host,
    port: config.port,
    database: config.database,
    user: config.user,
    ...(config.passwordFile === undefined ? {} : { password: readPassword(config.passwordFile) }),
  };
}

function readPassword(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n')[0] ?? '';
  } catch (cause) {
    throw new StoreError('DHCPD_ERR_STORE_OPEN', `cannot read store.postgres.passwordFile ${file}`, { cause });
  }
}

export function createPool(config: PostgresConfig, applicationName: string, onIdleError: (error: Error) => void): pg.Pool {
  const pool = new pg.Pool({ ...clientConfig(config, applicationName), max: config.poolSize, idleTimeoutMillis: 30_000 });
  // An idle connection the server drops (restart, network) emits here; unhandled it would crash the process.
  pool.on('error', onIdleError);
  return pool;
}

/**
 * Runs `use` on a pooled connection. A connection that dies between two statements emits 'error' on the client,
 * which unheard would crash the process; the statement in flight fails anyway, so the event is only absorbed here.
 * A connection left broken is closed instead of going back to the pool.
 */
export async function withClient<T>(pool: pg.Pool, use: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error): void => {
    broken = error;
  };
  client.on('error', onError);
  try {
    return await use(client);
  } catch (error) {
    broken ??= error instanceof Error && isConnectionError(error) ? error : undefined;
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

function isConnectionError(error: Error): boolean {
  return (error as { code?: unknown }).code === undefined || /terminat|ECONN|EPIPE|timeout/i.test(error.message);
}

/** Where the store lives, for messages: never the password. */
export function describeDatabase(config: PostgresConfig): string {
  if (config.connectionString !== undefined) {
    try {
      const url = new URL(config.connectionString);
      url.password = '';
      return url.toString();
    } catch {
      return '(connection string)';
    }
  }
  return `postgresql://${config.user}@${config.host}:${config.port}/${config.database}`;
}

/** Any failure of a statement or connection, as a StoreError (the caller's code), with the server's message. */
export function storeError(code: ErrorCode, what: string, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const sqlState = (error as { code?: unknown } | null)?.code;
  return new StoreError(code, `${what}: ${message}`, {
    cause: error,
    ...(typeof sqlState === 'string' ? { details: { sqlState } } : {}),
  });
}
