// DORA/s of one and two servers on PostgreSQL next to one on LevelDB, in the same run: each server is the real
// app in its own worker thread (its own core), fed relayed DISCOVER/REQUEST pairs over a memory transport. With
// two servers every DISCOVER goes to both (RFC 3074: only the bucket's owner answers) and the REQUEST to the one
// that offered. PostgreSQL is a throwaway cluster with fsync on, like LevelDB's synced writes. Bounded: N clients.
// usage: npx tsx bench/scale-out.bench.ts [clients=5000] [window=128]   (as root: initdb runs as postgres)
import { cpus, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { decode, encode } from '../src/codec/index.js';
import { MessageType } from '../src/codec/types.js';
import { migrate } from '../src/store/postgres/migrations.js';
import { startPgCluster, type PgCluster } from '../test/helpers/pg-cluster.js';
import { clientMessage } from '../test/helpers/test-client.js';
import type { WorkerSetup } from './scale-out.worker.js';

const clients = Number(process.argv[2] ?? 5000);
const window = Number(process.argv[3] ?? 128);
const SERVER_IDS = ['198.19.0.250', '198.19.0.251'];
/** Worker threads do not inherit tsx's loader: the worker registers it, then imports the TypeScript entry. */
const WORKER_BOOT = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./scale-out.worker.ts', import.meta.url).href)}); })`;

interface Server {
  readonly worker: Worker;
  send(data: Buffer): void;
}

async function startServers(kind: WorkerSetup['kind'], count: number, cluster: PgCluster, onReply: (data: Buffer, from: number) => void): Promise<Server[]> {
  const peers = Array.from({ length: count }, (_, i) => `s${i + 1}`);
  return Promise.all(peers.map((self, i) => new Promise<Server>((resolve, reject) => {
    const setup: WorkerSetup = { kind, self, peers, serverId: SERVER_IDS[i]!, socketDir: cluster.socketDir };
    const worker = new Worker(WORKER_BOOT, { eval: true, workerData: setup });
    worker.once('error', reject);
    worker.on('error', (error) => console.error(`worker ${self}:`, error));
    worker.on('message', (m: Uint8Array | string) => {
      if (m === 'ready') resolve({ worker, send: (data) => worker.postMessage(data) });
      else if (typeof m !== 'string') onReply(Buffer.from(m), i);
    });
  })));
}

async function run(kind: WorkerSetup['kind'], count: number, cluster: PgCluster): Promise<number> {
  const pending = new Map<number, (reply: { data: Buffer; from: number }) => void>();
  const servers = await startServers(kind, count, cluster, (data, from) => pending.get(data.readUInt32BE(4))?.({ data, from }));
  // Let two servers see each other's heartbeat before load starts (else both answer every DISCOVER).
  await new Promise((r) => setTimeout(r, count > 1 ? 2500 : 200));
  const exchange = (msg: ReturnType<typeof clientMessage>, to: readonly Server[]) => new Promise<{ data: Buffer; from: number }>((resolve) => {
    pending.set(msg.xid, (reply) => { pending.delete(msg.xid); resolve(reply); });
    const bytes = encode(msg);
    for (const s of to) s.send(bytes);
  });
  const dora = async (i: number): Promise<void> => {
    const mac = `02:01:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
    const client = { mac, giaddr: '198.19.0.1' };
    const offer = await exchange(clientMessage(client, MessageType.DISCOVER, { xid: i * 2 + 1 }), servers);
    const decoded = decode(offer.data);
    if (!decoded.ok) throw decoded.error;
    await exchange(clientMessage(client, MessageType.REQUEST, { xid: i * 2 + 2, requested: decoded.msg.yiaddr, serverId: SERVER_IDS[offer.from] }), [servers[offer.from]!]);
  };
  const start = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: window }, async () => {
    while (next < clients) await dora(next++);
  }));
  const rate = clients / ((performance.now() - start) / 1000);
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => {
    s.worker.on('message', (m) => m === 'stopped' && resolve());
    s.worker.postMessage('stop');
  })));
  await Promise.all(servers.map((s) => s.worker.terminate()));
  return rate;
}

const cluster = await startPgCluster({ durable: true });
try {
  const admin = new pg.Client({ host: cluster.socketDir, port: cluster.port, user: cluster.user, database: cluster.database });
  admin.on('error', (error) => console.error('admin connection:', error.message));
  await admin.connect();
  await migrate(admin);
  const results: Record<string, number> = {};
  const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`host: ${cpus().length} cores, load average ${load()} at the start`);
  for (const [label, kind, count] of [['LevelDB, 1 server', 'level', 1], ['PostgreSQL, 1 server', 'postgres', 1], ['PostgreSQL, 2 servers', 'postgres', 2]] as const) {
    await admin.query('TRUNCATE leases, servers, lease_history');
    results[label] = await run(kind, count, cluster);
    console.log(`${label}: ${results[label]!.toFixed(0)} DORA/s (${clients} clients, window ${window})`);
  }
  console.log(`load average ${load()} at the end`);
  const leases = await admin.query<{ n: string }>(`SELECT count(*) AS n FROM leases WHERE state = 'bound'`);
  console.log(`bound leases in PostgreSQL after the last run: ${leases.rows[0]?.n} (expected ${clients})`);
  await admin.end();
} finally {
  await cluster.destroy();
}
