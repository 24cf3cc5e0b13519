// What the daemon keeps per hostile packet, without the kernel: the real server (codec, security stages, router,
// machines, lease book, memory store) fed the generator's packets (bench/hostile/packets.mjs, same seed as the
// namespace run) through a memory transport, with heap and resident set read after a full GC at each checkpoint.
// Growth between checkpoints that follows the packet count is retention; growth that stops is V8 keeping pages.
// Replies to addresses no lab link faces fail with ENETUNREACH, as the kernel does in the namespace run.
//   node --expose-gc --max-semi-space-size=32 --min-semi-space-size=32 --heap-growing-percent=25 --import tsx bench/hostile/memory.bench.ts [packets=400000] [checkpoints=4] [mode=mixed|discover]
// Prints one JSON line per checkpoint (with the server's CPU µs per packet fed); with FORBIDDEN=1 also what was answered that must not be, by kind.
// The RSS figures include the checkpoint's packets, built up front (~0.35 KB each): compare runs of equal checkpoints.
import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { pino } from 'pino';
import { Subject } from 'rxjs';
import { startApp } from '../../src/app.js';
import { parseConfig } from '../../src/config/index.js';
import { errnoError } from '../../src/net/errno.js';
import type { Inbound, InterfaceInfo, Transport } from '../../src/net/types.js';
import { openMemoryStore } from '../../src/store/open.js';
import { forbiddenLedger, packetSource } from './packets.mjs';
const packets = Number(process.argv[2] ?? 400_000);
const checkpoints = Number(process.argv[3] ?? 4);
const mode = process.argv[4] ?? 'mixed';
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

// The namespace lab's daemon config (test/integration/harness/daemon.ts): a direct and a relayed subnet.
const LAB = { name: 'lab0', index: 2, mac: '02:00:5e:00:00:01', addresses: [{ address: '198.51.100.1', prefixLength: 24 }] } satisfies InterfaceInfo;
const wire = {
  serverId: '198.51.100.1', interfaces: ['lab0'], logging: { level: 'info' },
  subnets: [
    { subnet: '198.51.100.0/24', interface: 'lab0', pools: [{ start: '198.51.100.100', end: '198.51.100.199' }], router: ['198.51.100.1'], leaseTime: 120,
      reservations: [{ hwAddress: '02:00:5e:10:00:10', address: '198.51.100.10' }] },
    { subnet: '203.0.113.0/24', pools: [{ start: '203.0.113.100', end: '203.0.113.199' }], router: ['203.0.113.1'], leaseTime: 120 },
  ],
};
const compiled = parseConfig(JSON.stringify(wire), { baseDir: '/tmp' });
if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));

/** Reachable from the server namespace: the lab's direct segment, the transit link to the relay, broadcast. */
const reachable = (a: string): boolean => a === '255.255.255.255' || a.startsWith('198.51.100.') || a.startsWith('198.18.') || a.startsWith('203.0.113.');
// Kept only with FORBIDDEN=1: the map itself grows with the packet count and would blur the heap figures.
const trackForbidden = process.env['FORBIDDEN'] !== undefined;
const forbidden = forbiddenLedger();
let sent = 0;
let unreachable = 0;
const inbound$ = new Subject<Inbound>();
const transport: Transport = {
  kind: 'memory', inbound$, interfaces: () => [LAB], close: async () => {},
  send: async (out) => {
    if (trackForbidden) forbidden.answered(out.data);
    if (!reachable(out.to.address)) {
      unreachable++;
      throw errnoError('DHCPD_ERR_NET_UNREACHABLE', 101, 'sendmsg', { to: out.to });
    }
    sent++;
  },
};
let logBytes = 0;
const log = pino({ level: 'info' }, { write: (s: string) => { logBytes += s.length; } });
const app = startApp({ config: compiled.config, log, store: await openMemoryStore(), openTransport: async () => transport });
await app.ready;

const source = packetSource(7);
const next = mode === 'discover' ? () => source.discoverFlood() : () => source.hostile();
const mb = (n: number): number => Math.round(n / 1024 / 10.24) / 100;
/** Resident kB of the brk heap (glibc's main arena: malloc'd Buffers, native) vs. the anonymous mappings (V8's pages, other arenas). */
function residentBy(): { brkMb: number; anonMb: number } {
  let brk = 0;
  let anon = 0;
  let current = '';
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) current = line.split(/\s+/)[5] ?? '';
    else if (line.startsWith('Rss:')) {
      const kb = Number(line.split(/\s+/)[1]);
      if (current === '[heap]') brk += kb;
      else if (current === '') anon += kb;
    }
  }
  return { brkMb: Math.round(brk / 10.24) / 100, anonMb: Math.round(anon / 10.24) / 100 };
}
/** While feeding: the peak resident pages V8 keeps per space (new: the young generation, at most 2 × the semi-space;
 * old: live objects plus promoted garbage until the next mark-compact) and the GC pauses (ms). */
interface FeedPeaks { rss: number; newMb: number; oldMb: number; pauses: number[] }
function physicalMb(space: string): number {
  return mb(getHeapSpaceStatistics().find((s) => s.space_name === space)?.physical_space_size ?? 0);
}
const pauses: number[] = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) pauses.push(e.duration); }).observe({ entryTypes: ['gc'] });

async function measure(fed: number, cpuUsPerPacket: number, peaks: FeedPeaks): Promise<void> {
  // Let timers (lease expiry, offer holds, bucket expiry) run as they would, then collect twice (weak refs, finalizers).
  await new Promise((r) => setTimeout(r, 200));
  gc!();
  await new Promise((r) => setImmediate(r));
  gc!();
  const m = process.memoryUsage();
  const gcMs = { gcPauses: peaks.pauses.length, gcTotalMs: Math.round(peaks.pauses.reduce((a, b) => a + b, 0)), gcMaxMs: Math.round(Math.max(0, ...peaks.pauses)) };
  console.log(JSON.stringify({ fed, cpuUsPerPacket: Math.round(cpuUsPerPacket), peakRssMb: mb(peaks.rss), peakNewMb: peaks.newMb, peakOldMb: peaks.oldMb, ...gcMs, rssMb: mb(m.rss), ...residentBy(), heapUsedMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal), externalMb: mb(m.external), arrayBuffersMb: mb(m.arrayBuffers), sent, unreachable, logKb: Math.round(logBytes / 1024) }));
  // HEAP_SNAPSHOT=/tmp/m: a snapshot per checkpoint (/tmp/m-<fed>.heapsnapshot) to compare what is retained.
  if (process.env['HEAP_SNAPSHOT'] !== undefined) writeHeapSnapshot(`${process.env['HEAP_SNAPSHOT']}-${fed}.heapsnapshot`);
}

const perCheckpoint = Math.floor(packets / checkpoints);
await measure(0, 0, { rss: process.memoryUsage.rss(), newMb: physicalMb('new_space'), oldMb: physicalMb('old_space'), pauses: [] });
let fed = 0;
for (let c = 1; c <= checkpoints; c++) {
  // Built before the clock starts, so the CPU figure is the server's alone (plus this loop's hand-over).
  const batch = Array.from({ length: perCheckpoint }, () => next());
  const cpu = process.cpuUsage();
  // The resident set the flood drives up before any forced GC (what the namespace run's RSS growth sees).
  const peaks: FeedPeaks = { rss: 0, newMb: 0, oldMb: 0, pauses: [] };
  pauses.length = 0;
  const sampler = setInterval(() => {
    peaks.rss = Math.max(peaks.rss, process.memoryUsage.rss());
    peaks.newMb = Math.max(peaks.newMb, physicalMb('new_space'));
    peaks.oldMb = Math.max(peaks.oldMb, physicalMb('old_space'));
  }, 50);
  for (let at = 0; at < batch.length; at += 64) {
    // Batches as the native transport delivers them (recvmmsg), then a turn of the event loop.
    for (const p of batch.slice(at, at + 64)) {
      if (trackForbidden) forbidden.sent(p);
      // An exact-size buffer per datagram, as the native transport's receive gives (napi_create_buffer_copy).
      const data = Buffer.allocUnsafeSlow(p.data.length);
      p.data.copy(data);
      inbound$.next({ data, from: { address: '198.51.100.250', port: 68 }, iface: LAB, broadcast: true, localAddress: '255.255.255.255', receivedAt: Date.now() });
    }
    await new Promise((r) => setImmediate(r));
  }
  const used = process.cpuUsage(cpu);
  clearInterval(sampler);
  peaks.pauses = pauses.splice(0);
  batch.length = 0;
  fed += perCheckpoint;
  await measure(fed, (used.user + used.system) / perCheckpoint, peaks);
}
if (trackForbidden) console.log(JSON.stringify(forbidden.summary()));
await app.stop();
process.exit(0);
