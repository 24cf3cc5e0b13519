// Two whole servers in process sharing one PostgreSQL lease database (throwaway cluster): each has its own lease
// book, store connection pool and change feed, exactly as two daemons would. Used by the shared-store property.
import pg from 'pg';
import { MessageType, type DhcpMessage } from '../../src/codec/types.js';
import { PostgresLeaseStore } from '../../src/store/postgres/pg-store.js';
import { migrate } from '../../src/store/postgres/migrations.js';
import type { PgCluster } from '../../test/helpers/pg-cluster.js';
import { clientMessage, type ClientSpec } from '../../test/helpers/test-client.js';
import { LAB_CONFIG, replyType, startTestServer, type TestServer } from '../../test/helpers/test-server.js';

export const SERVER_IDS = ['198.51.100.1', '198.51.100.2'] as const;
export const POOL_SIZE = 4;

export interface LiveRow {
  readonly ip: string;
  readonly clientKey: string;
  readonly state: string;
  readonly expiresAt: number;
}

export class TwoServers {
  private constructor(readonly servers: readonly TestServer[], private readonly admin: pg.Client) {}

  /** Empties the database, then starts both servers on it (a tiny pool: contention is the point). */
  static async start(cluster: PgCluster): Promise<TwoServers> {
    const admin = new pg.Client({ host: cluster.socketDir, port: cluster.port, user: cluster.user, database: cluster.database });
    await admin.connect();
    await migrate(admin);
    await admin.query('TRUNCATE leases, servers');
    const servers: TestServer[] = [];
    for (const [i, serverId] of SERVER_IDS.entries()) {
      const store = new PostgresLeaseStore({
        serverName: `p${i}`,
        config: {
          host: cluster.socketDir, port: cluster.port, database: cluster.database, user: cluster.user, poolSize: 2,
          connectTimeoutMs: 2000, statementTimeoutMs: 5000, pollIntervalMs: 200,
        },
      });
      const wire = {
        ...LAB_CONFIG,
        serverId,
        store: { kind: 'postgres', postgres: { host: cluster.socketDir } },
        subnets: [{ ...LAB_CONFIG.subnets[0], pools: [{ start: '198.51.100.100', end: `198.51.100.${99 + POOL_SIZE}` }], reservations: [] }],
      };
      servers.push(await startTestServer(store, wire));
    }
    return new TwoServers(servers, admin);
  }

  async exchange(server: number, message: DhcpMessage, broadcast: boolean): Promise<DhcpMessage | undefined> {
    const s = this.servers[server]!;
    const sent = await s.exchange(message, { waitMs: 600, broadcast, from: message.ciaddr });
    return sent?.message;
  }

  /** Leases the database says are held (bound, renewing, rebinding, or expired within grace). */
  async liveRows(): Promise<LiveRow[]> {
    const result = await this.admin.query<{ ip: string; client_key: string; state: string; record: { context: { expiresAt: number } } }>(
      `SELECT host(ip) AS ip, client_key, state, record FROM leases WHERE NOT deleted AND state IN ('bound','renewing','rebinding','expired')`);
    return result.rows.map((r) => ({ ip: r.ip, clientKey: r.client_key, state: r.state, expiresAt: r.record.context.expiresAt }));
  }

  advance(ms: number): void {
    for (const s of this.servers) s.clock.advance(ms);
  }

  now(): number {
    return this.servers[0]!.clock.now();
  }

  async dispose(): Promise<void> {
    for (const s of this.servers) await s.stop();
    await this.admin.end();
  }
}

export const isAck = (m: DhcpMessage | undefined): m is DhcpMessage => m !== undefined && replyType(m) === MessageType.ACK;
export const isOffer = (m: DhcpMessage | undefined): m is DhcpMessage => m !== undefined && replyType(m) === MessageType.OFFER;

export function clientSpec(i: number): ClientSpec {
  return { mac: `02:00:5e:30:00:${(i + 1).toString(16).padStart(2, '0')}` };
}

export { clientMessage };
