// Same-process A/B of the LevelDB store's write path alone: two builds' stores (this checkout's src/ and another
// checkout's), each with its history recorder as the daemon chains them, on LevelDB in temporary directories, driven
// in alternating chunks by the same code. Per lease write as an ACK makes it: the offer's and the ACK's transitions
// recorded, then the bound record written (`window` writers at once, so group commits gather as under load). It
// prints the main thread's and the whole process's CPU per write (the LevelDB worker's write and fsync included in
// the latter). The store's share is a few µs of a DORA, too little to see through the whole server on a loaded host.
// usage: [OTHER_FIRST=1] npx tsx bench/ab-store.bench.ts OTHER_CHECKOUT [chunks=20] [writes per chunk=4000] [window=128]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LeaseRecord, LeaseTransition } from '../machines/lease.types.js';

const other = resolve(process.argv[2] ?? '');
const chunks = Number(process.argv[3] ?? 20);
const perChunk = Number(process.argv[4] ?? 4000);
const window = Number(process.argv[5] ?? 128);
const dirs: string[] = [];

async function startFrom(root: string) {
  const load = <M>(p: string): Promise<M> => import(pathToFileURL(join(root, p)).href) as Promise<M>;
  const { openLevelStore } = await load<typeof import('../src/store/open.js')>('src/store/open.ts');
  const { HistoryRecorder } = await load<typeof import('../src/store/history-recorder.js')>('src/store/history-recorder.ts');
  const dir = mkdtempSync(join(tmpdir(), 'ab-store-'));
  dirs.push(dir);
  const store = await openLevelStore(dir);
  // As the daemon's start does: after a whole load the store knows every stored key, and reads none before a write.
  for await (const record of store.loadAll()) void record;
  return { store, recorder: new HistoryRecorder(store, () => 64) };
}

const BASE = 0xc6120000; // 198.18.0.0
const now = 1_700_000_000_000;
const ipOf = (i: number): string => {
  const n = BASE + (i % 131_000);
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
};
const macOf = (i: number): string => `02:00:${[(i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255].map((n) => n.toString(16).padStart(2, '0')).join(':')}`;

function bound(ip: string, mac: string, at: number): LeaseRecord {
  return {
    state: 'bound',
    context: {
      ip, subnetId: 1, clientKey: `hw:1:${mac}`, hwAddress: mac, offerExpiresAt: 0, boundAt: at, renewAt: at + 1_800_000,
      rebindAt: at + 3_150_000, expiresAt: at + 3_600_000, graceUntil: 0, probationUntil: 0, changedAt: at,
    },
    timers: [{ event: 'xstate.after.renewal.lease.bound', at: at + 1_800_000 }],
  };
}

function transition(ip: string, mac: string, at: number, from: string, to: string, event: string, xid: number, type: string): LeaseTransition {
  return { at, ip, subnetId: 1, clientKey: `hw:1:${mac}`, from, to, event, xid, message: `DHCP${type} from ${mac} via 198.18.0.1` };
}

async function chunk(server: Awaited<ReturnType<typeof startFrom>>, from: number): Promise<void> {
  let next = from;
  const end = from + perChunk;
  await Promise.all(Array.from({ length: window }, async () => {
    while (next < end) {
      const i = next++;
      const ip = ipOf(i);
      const mac = macOf(i);
      const at = now + i;
      server.recorder.record(transition(ip, mac, at, 'none', 'offered', 'lease.offer', 2 * i + 1, 'DISCOVER'));
      server.recorder.record(transition(ip, mac, at, 'offered', 'bound', 'lease.commit', 2 * i + 2, 'REQUEST'));
      await server.recorder.write([{ kind: 'put', record: bound(ip, mac, at) }]);
    }
  }));
}

function threadCpuUs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10_000;
}

const hereRoot = resolve(import.meta.dirname, '..');
const otherFirst = process.env['OTHER_FIRST'] === '1';
const started = otherFirst ? [await startFrom(other), await startFrom(hereRoot)] : [await startFrom(hereRoot), await startFrom(other)];
const servers = otherFirst ? { here: started[1]!, other: started[0]! } : { here: started[0]!, other: started[1]! };
const totals = { here: { all: 0, main: 0, n: 0 }, other: { all: 0, main: 0, n: 0 } };
await chunk(servers.here, 0);
await chunk(servers.other, 0);
for (let c = 1; c <= chunks; c++) {
  const order: readonly ('here' | 'other')[] = c % 2 === 0 ? ['here', 'other'] : ['other', 'here'];
  for (const name of order) {
    const cpu0 = process.cpuUsage();
    const main0 = threadCpuUs();
    await chunk(servers[name], c * perChunk);
    const cpu = process.cpuUsage(cpu0);
    totals[name].all += cpu.user + cpu.system;
    totals[name].main += threadCpuUs() - main0;
    totals[name].n += perChunk;
  }
}
const per = (t: { all: number; main: number; n: number }) => `${(t.all / t.n).toFixed(2)} us/write all threads, ${(t.main / t.n).toFixed(2)} main thread`;
console.log(`here  (${hereRoot}): ${per(totals.here)}`);
console.log(`other (${other}): ${per(totals.other)}`);
console.log(`here / other: ${(totals.here.all / totals.other.all).toFixed(3)} all threads, ${(totals.here.main / totals.other.main).toFixed(3)} main thread (${chunks} chunks of ${perChunk} each)`);
const perCommit = (s: Awaited<ReturnType<typeof startFrom>>) => {
  const { commits, committedWrites } = s.store.commitStats();
  return `${(committedWrites / commits).toFixed(1)} writes per commit`;
};
console.log(`here ${perCommit(servers.here)}, other ${perCommit(servers.other)}`);
await servers.here.store.close();
await servers.other.store.close();
for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
