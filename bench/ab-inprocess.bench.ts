// Same-process A/B of the decision path: two builds of the server (this checkout's src/ and another checkout's, e.g.
// a `git archive` of the base commit) each started in-process with a store that acknowledges at once, driven in
// alternating chunks of DORAs by the same client code. Both run under the same host load at the same moments, so
// their CPU per DORA compares even on a busy shared host where separate runs differ by ±20 %. Not free of bias: the
// server started first read 5-10 % higher in an A/A run (the same code twice) on a loaded host, so run it both ways
// (OTHER_FIRST=1 starts the other build first) and take the geometric mean of the two ratios, next to an A/A pair.
// usage: [OTHER_FIRST=1] [AB_STORE=level] npx tsx bench/ab-inprocess.bench.ts OTHER_CHECKOUT [chunks=20] [doras per chunk=1500] [window=128]
// AB_STORE=level gives each build its own LevelDB store (its own code, a temporary directory, every commit synced),
// so the store's main-thread work is compared too.
// OTHER_CHECKOUT: e.g. `git archive BASE | tar -x -C /tmp/base; ln -s $PWD/node_modules /tmp/base/node_modules`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { Subject } from 'rxjs';
import { decode, encode } from '../src/codec/index.js';
import { MessageType } from '../src/codec/types.js';
import type { Inbound, Outbound, Transport } from '../src/net/types.js';
import { clientMessage } from '../test/helpers/test-client.js';
import { compareInChunks } from './lib/ab-chunks.js';

const other = resolve(process.argv[2] ?? '');
const chunks = Number(process.argv[3] ?? 20);
const perChunk = Number(process.argv[4] ?? 1500);
const window = Number(process.argv[5] ?? 128);

const wire = {
  serverId: '198.18.0.254', interfaces: [], logging: { level: 'silent' }, conflictCheck: { enabled: false },
  // A /15: 131k addresses, room for every client of a long comparison.
  subnets: [{ subnet: '198.18.0.0/15', pools: [{ start: '198.18.1.0', end: '198.19.255.254' }], router: ['198.18.0.1'] }],
};

const storeDirs: string[] = [];

/** One build's server, started from its own modules, answering through a memory transport. */
async function startFrom(root: string) {
  // The other build's modules have this build's API (the types of this checkout's stand for both).
  const load = <M>(p: string): Promise<M> => import(pathToFileURL(join(root, p)).href) as Promise<M>;
  const { startApp } = await load<typeof import('../src/app.js')>('src/app.ts');
  const { parseConfig } = await load<typeof import('../src/config/index.js')>('src/config/index.ts');
  const { openLevelStore, openMemoryStore } = await load<typeof import('../src/store/open.js')>('src/store/open.ts');
  const compiled = parseConfig(JSON.stringify(wire), { baseDir: '/tmp' });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  const inbound$ = new Subject<Inbound>();
  const pending = new Map<number, (o: Outbound) => void>();
  const transport: Transport = {
    kind: 'memory', inbound$, interfaces: () => [], close: async () => {},
    send: async (out) => pending.get(out.data.readUInt32BE(4))?.(out),
  };
  const store = process.env['AB_STORE'] === 'level'
    ? await openLevelStore(storeDirs[storeDirs.push(mkdtempSync(join(tmpdir(), 'ab-store-'))) - 1]!)
    : Object.assign(await openMemoryStore(), { write: async () => {} });
  const app = startApp({ config: compiled.config, log: pino({ level: 'silent' }), store, openTransport: async () => transport });
  await app.ready;
  const send = (msg: ReturnType<typeof clientMessage>): Promise<Outbound> => new Promise((res) => {
    pending.set(msg.xid, (o) => { pending.delete(msg.xid); res(o); });
    inbound$.next({ data: encode(msg), from: { address: '198.18.0.1', port: 67 }, receivedAt: Date.now() });
  });
  return { app, send };
}

function mac(i: number): string {
  return `02:00:${[(i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255].map((n) => n.toString(16).padStart(2, '0')).join(':')}`;
}

async function chunk(server: Awaited<ReturnType<typeof startFrom>>, from: number): Promise<void> {
  let next = from;
  const end = from + perChunk;
  await Promise.all(Array.from({ length: window }, async () => {
    while (next < end) {
      const i = next++;
      const client = { mac: mac(i), giaddr: '198.18.0.1' };
      const offer = decode((await server.send(clientMessage(client, MessageType.DISCOVER, { xid: i * 2 + 1 }))).data);
      if (!offer.ok) throw offer.error;
      await server.send(clientMessage(client, MessageType.REQUEST, { xid: i * 2 + 2, requested: offer.msg.yiaddr, serverId: '198.18.0.254' }));
    }
  }));
}

const servers = await compareInChunks({
  hereRoot: resolve(import.meta.dirname, '..'), otherRoot: other, start: startFrom, run: chunk, chunks, perChunk, unit: 'DORA', digits: 1,
});
await servers.here.app.stop();
await servers.other.app.stop();
for (const dir of storeDirs) rmSync(dir, { recursive: true, force: true });
