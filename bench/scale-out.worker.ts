// One actor-dhcpd server in a worker thread for bench/scale-out.bench.ts: the real app over a memory transport
// whose datagrams cross the thread boundary; the store is LevelDB or the shared PostgreSQL database.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { Subject } from 'rxjs';
import { startApp } from '../src/app.js';
import { parseConfig } from '../src/config/index.js';
import type { Inbound, Transport } from '../src/net/types.js';
import { createStore } from '../src/store/factory.js';

export interface WorkerSetup {
  readonly kind: 'level' | 'postgres';
  readonly self: string;
  readonly peers: readonly string[];
  readonly serverId: string;
  readonly socketDir: string;
}

const setup = workerData as WorkerSetup;
const port = parentPort!;
const wire = {
  serverId: setup.serverId, interfaces: [], logging: { level: 'silent' },
  store: setup.kind === 'level'
    ? { kind: 'level', path: join(mkdtempSync(join(tmpdir(), 'adbench-')), 'db') }
    : { kind: 'postgres', postgres: { host: setup.socketDir, user: 'postgres', database: 'actor_dhcpd', poolSize: 4 } },
  ...(setup.peers.length > 1 ? { scaleOut: { self: setup.self, peers: setup.peers } } : {}),
  subnets: [{ subnet: '198.19.0.0/16', pools: [{ start: '198.19.1.0', end: '198.19.255.254' }], router: ['198.19.0.1'] }],
};
const compiled = parseConfig(JSON.stringify(wire), { baseDir: '/tmp' });
if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
const log = pino({ level: 'silent' });
const inbound$ = new Subject<Inbound>();
const transport: Transport = {
  kind: 'memory', inbound$, interfaces: () => [], close: async () => {},
  send: async (out) => port.postMessage(out.data),
};
const app = startApp({ config: compiled.config, log, store: await createStore(compiled.config, log), openTransport: async () => transport });
await app.ready;
port.on('message', (data: Uint8Array | 'stop') => {
  if (data === 'stop') {
    void app.stop().then(() => port.postMessage('stopped'));
    return;
  }
  inbound$.next({ data: Buffer.from(data), from: { address: '198.19.0.1', port: 67 }, receivedAt: Date.now() });
});
port.postMessage('ready');
