// The `store.postgres` and `scaleOut` sections: a shared PostgreSQL lease database and RFC 3074 load balancing
// among the servers that share it (wire shape, cross-field checks, compiled domain values).
import { z } from 'zod';
import type { IssueList } from './issues.js';

const ms = (min: number, max: number) => z.number().int().min(min).max(max);
const serverName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: 'expected a server name: 1-63 of a-z, 0-9 and "-", not starting with "-"' });

export const PostgresSchema = z
  .strictObject({
    connectionString: z
      .string()
      .min(1)
      .optional()
      .describe('libpq-style URI, e.g. "postgresql://dhcpd@db.example.net/actor_dhcpd"; overrides the fields below.'),
    host: z.string().min(1).default('/run/postgresql').describe('Host name, or the directory of the UNIX socket.'),
    port: z.number().int().min(1).max(65535).default(5432).describe('TCP port (also names the UNIX socket file).'),
    database: z.string().min(1).default('actor_dhcpd').describe('Database name.'),
    user: z.string().min(1).default('actor_dhcpd').describe('Role the server connects as.'),
    passwordFile: z.string().min(1).optional().describe('File holding the password (first line); or use ~/.pgpass / PGPASSWORD.'),
    poolSize: z.number().int().min(2).max(100).default(4).describe('Connections per server (one more listens for changes).'),
    connectTimeoutMs: ms(100, 600_000).default(3000).describe('Longest a connection attempt may take.'),
    statementTimeoutMs: ms(100, 600_000).default(5000).describe('Longest one statement may run before it fails.'),
    pollIntervalMs: ms(100, 3_600_000)
      .default(5000)
      .describe('Backstop re-read of changed leases, besides LISTEN/NOTIFY.'),
  })
  .describe('PostgreSQL lease database (store.kind "postgres").');

export const ScaleOutSchema = z
  .strictObject({
    self: serverName.describe("This server's name among its peers."),
    peers: z.array(serverName).min(2).max(32).describe('Every server sharing the database, this one included.'),
    split: z
      .record(z.string(), z.number().int().min(0).max(256))
      .optional()
      .describe('Share of the 256 RFC 3074 hash buckets per server name (weights); default: equal.'),
    heartbeatMs: ms(100, 60_000).default(1000).describe('How often this server updates its heartbeat row.'),
    peerTimeoutMs: ms(300, 600_000).default(5000).describe('A peer whose heartbeat is older than this is taken over.'),
    maxSecs: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(10)
      .describe('A DISCOVER with secs at least this is answered whatever its bucket (0: never).'),
  })
  .describe('Several servers on one PostgreSQL database, RFC 3074 load balancing.');

export type WirePostgres = z.output<typeof PostgresSchema>;
export type WireScaleOut = z.output<typeof ScaleOutSchema>;

export interface PostgresConfig {
  readonly connectionString?: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly passwordFile?: string;
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
  readonly statementTimeoutMs: number;
  readonly pollIntervalMs: number;
}

export interface ScaleOutConfig {
  readonly self: string;
  /** Sorted, unique. */
  readonly peers: readonly string[];
  /** Bucket weight per peer; every peer has one. */
  readonly split: Readonly<Record<string, number>>;
  readonly heartbeatMs: number;
  readonly peerTimeoutMs: number;
  readonly maxSecs: number;
}

/** store.kind "postgres" needs its section; scaleOut needs the shared database and a consistent peer list. */
export function compileScaleOut(
  kind: string,
  postgres: WirePostgres | undefined,
  wire: WireScaleOut | undefined,
  issues: IssueList,
): ScaleOutConfig | undefined {
  if (kind === 'postgres' && postgres === undefined) issues.add(['store', 'postgres'], 'store.kind "postgres" needs this section');
  if (wire === undefined) return undefined;
  if (kind !== 'postgres') issues.add(['scaleOut'], 'several servers need a shared database: set store.kind to "postgres"');
  const peers = [...new Set(wire.peers)].sort();
  if (peers.length !== wire.peers.length) issues.add(['scaleOut', 'peers'], 'a server is listed twice');
  if (!peers.includes(wire.self)) issues.add(['scaleOut', 'self'], `"${wire.self}" is not one of the peers`);
  const split: Record<string, number> = {};
  for (const peer of peers) split[peer] = wire.split?.[peer] ?? 1;
  for (const name of Object.keys(wire.split ?? {})) {
    if (!peers.includes(name)) issues.add(['scaleOut', 'split', name], `"${name}" is not one of the peers`);
  }
  if (Object.values(split).every((w) => w === 0)) issues.add(['scaleOut', 'split'], 'at least one server needs buckets');
  if (wire.peerTimeoutMs < 2 * wire.heartbeatMs) {
    issues.add(['scaleOut', 'peerTimeoutMs'], `must be at least twice heartbeatMs (${2 * wire.heartbeatMs})`);
  }
  return { ...wire, peers, split };
}
