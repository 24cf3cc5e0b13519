// In-process DORA throughput: the real server (codec, router, machines, lease book, LevelDB group commit) driven
// through a memory transport — what the daemon costs without the kernel. Bounded: N clients, W in flight.
// usage: npx tsx bench/inprocess.bench.ts [clients=20000] [window=256] [level|memory|null] [stages: none|all]
// `all` turns every security stage on with settings every request passes (the stages' cost, not their drops).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Subject } from 'rxjs';
import { startApp } from '../src/app.js';
import { SlotMap } from '../src/collections/slot-map.js';
import { decode, encode } from '../src/codec/index.js';
import { MessageType } from '../src/codec/types.js';
import { parseConfig } from '../src/config/index.js';
import type { Inbound, Outbound, Transport } from '../src/net/types.js';
import { openLevelStore, openMemoryStore } from '../src/store/open.js';
import { clientMessage } from '../test/helpers/test-client.js';

const clients = Number(process.argv[2] ?? 20_000);
const window = Number(process.argv[3] ?? 256);
const kind = process.argv[4] ?? 'level';
const stages = process.argv[5] ?? 'none';
const unlimited = { perSecond: 1e6, burst: 1_000_000 };
const ALL_STAGES = {
  trust: { untrusted: false, relayAllow: ['198.19.0.0/16'] },
  macFilter: { deny: ['0e:ff:ff'] },
  ipFilter: { source: { deny: ['192.0.2.0/24'] }, giaddr: { allow: ['198.19.0.0/16'] }, ciaddr: { deny: ['192.0.2.0/24'] } },
  rateLimit: { client: unlimited, relay: unlimited, circuitId: unlimited, remoteId: unlimited, global: unlimited, maxNewLeasesPerMinutePerRelay: 10_000_000 },
  auth: { mode: 'optional' },
  authKeys: [{ id: 1, secret: '00112233445566778899aabbccddeeff' }],
};

const wire = {
  serverId: '198.19.0.254', interfaces: [], logging: { level: 'silent' }, conflictCheck: { enabled: false },
  ...(stages === 'all' ? { security: ALL_STAGES } : {}),
  subnets: [{ subnet: '198.19.0.0/16', pools: [{ start: '198.19.1.0', end: '198.19.255.254' }], router: ['198.19.0.1'] }],
};
const compiled = parseConfig(JSON.stringify(wire), { baseDir: '/tmp' });
if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));

const inbound$ = new Subject<Inbound>();
// Not a Map: a Map churning by closures gets them (and their DORAs) promoted, the bench's garbage charged to the
// server's GC (src/collections/slot-map.ts).
const pending = new SlotMap<number, (o: Outbound) => void>();
const transport: Transport = {
  kind: 'memory', inbound$, interfaces: () => [], close: async () => {},
  send: async (out) => {
    const xid = out.data.readUInt32BE(4);
    pending.get(xid)?.(out);
  },
};
const dir = mkdtempSync(join(tmpdir(), 'adbench-'));
// "null": a store that acknowledges at once, to see what the rest of the path costs without LevelDB.
const store = kind === 'memory' ? await openMemoryStore()
  : kind === 'null' ? Object.assign(await openMemoryStore(), { write: async () => {} })
  : await openLevelStore(join(dir, 'db'));
const app = startApp({ config: compiled.config, log: pino({ level: 'silent' }), store, openTransport: async () => transport });
await app.ready.catch(async (e) => { console.error('not ready', e); process.exit(1); });

function send(msg: ReturnType<typeof clientMessage>): Promise<Outbound> {
  return new Promise((resolve) => {
    pending.set(msg.xid, (o) => { pending.delete(msg.xid); resolve(o); });
    inbound$.next({ data: encode(msg), from: { address: '198.19.0.1', port: 67 }, receivedAt: Date.now() });
  });
}

async function dora(i: number): Promise<void> {
  const mac = `02:00:${(i >> 24) & 255}:${(i >> 16) & 255}:${(i >> 8) & 255}:${i & 255}`.replace(/:(\d+)/g, (_, n) => ':' + Number(n).toString(16).padStart(2, '0'));
  const client = { mac, giaddr: '198.19.0.1' };
  const offer = await send(clientMessage(client, MessageType.DISCOVER, { xid: i * 2 + 1 }));
  const ip = decode(offer.data);
  if (!ip.ok) throw ip.error;
  await send(clientMessage(client, MessageType.REQUEST, { xid: i * 2 + 2, requested: ip.msg.yiaddr, serverId: '198.19.0.254' }));
}

/**
 * The main thread's CPU time in µs (Linux: its utime + stime in /proc, in clock ticks of 10 ms), or undefined: the
 * JavaScript work itself, without LevelDB's and V8's helper threads, which process.cpuUsage() adds in.
 */
function mainThreadCpu(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

const start = performance.now();
const cpuStart = process.cpuUsage();
const mainStart = mainThreadCpu();
let next = 0;
await Promise.all(Array.from({ length: window }, async () => {
  while (next < clients) await dora(next++);
}));
const seconds = (performance.now() - start) / 1000;
// CPU time (all threads, user + system) per DORA: on a shared host, steadier than the wall-clock rate.
const cpu = process.cpuUsage(cpuStart);
const cpuPerDora = (cpu.user + cpu.system) / clients;
const mainEnd = mainThreadCpu();
const main = mainStart === undefined || mainEnd === undefined ? '' : ` (main thread ${((mainEnd - mainStart) / clients).toFixed(0)})`;
console.log(`${kind}, stages ${stages}: ${clients} DORA in ${seconds.toFixed(2)} s = ${(clients / seconds).toFixed(0)} DORA/s (window ${window}); ` +
  `CPU ${cpuPerDora.toFixed(0)} us per DORA${main}`);
console.log(JSON.stringify({ ...app.statistics().counters, security: app.statistics().security }));
await app.stop();
rmSync(dir, { recursive: true, force: true });
