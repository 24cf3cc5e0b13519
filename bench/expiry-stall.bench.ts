// Mass expiry: N rehydrated leases whose timers fall due in the same second, on the system clock; prints the
// longest event-loop stall while they fire (the target: none over 50 ms at 10^5) and how long they take in all.
// Bounded: N leases in memory, one run of at most a few seconds after they fall due.
// FROM=snapshot loads them as a start from the snapshot does (one packed table, keys in one block) instead of one by one.
// usage: [FROM=snapshot] npx tsx bench/expiry-stall.bench.ts [leases=100000]
import { systemClock } from '../src/clock.js';
import { intToIp } from '../src/codec/index.js';
import { LeaseBook } from '../src/leases/lease-book.js';
import { startLease, stepLease } from '../src/leases/lease-runner.js';
import { PackedLeases } from '../src/lease-columns/packed-leases.js';

const leases = Number(process.argv[2] ?? 100_000);
const DAY = 86_400_000;
const dueIn = 3_000;
let changes = 0;
const book = new LeaseBook({ clock: systemClock, onTimerChange: () => changes++ });
// Bound half a day ago (minus 3 s) with T1 at half a day: every T1 falls due 3 s from now, in the same millisecond.
const boundAt = Date.now() - DAY / 2 + dueIn;
const fromSnapshot = process.env.FROM === 'snapshot';
const table = new PackedLeases();
for (let i = 0; i < leases; i++) {
  const ip = intToIp(((198 << 24) + (18 << 16) + 10 + i) >>> 0);
  const offered = startLease({ ip, subnetId: 1, clientKey: `hw:1:${i}`, hwAddress: `${i}`, now: boundAt, holdMs: 60_000 });
  const bound = stepLease(offered, { type: 'lease.commit', now: boundAt, leaseMs: DAY, renewMs: DAY / 2, rebindMs: DAY * 0.875, graceMs: 0 })!;
  if (fromSnapshot) table.pack(bound);
  else book.rehydrate(bound);
}
if (fromSnapshot) book.loadPacked(PackedLeases.fromColumns(table.columns()));
const dueAt = boundAt + DAY / 2;
let last = performance.now();
let lastCpu = process.cpuUsage();
let longest = 0;
// The CPU the process used during the longest stall: on a loaded host a stall is partly time off the CPU, which
// the CPU figure leaves out (it counts every thread, GC helpers included, so it is an upper bound of our own work).
let longestCpu = 0;
let longestByCpu = 0;
const probe = setInterval(() => {
  const now = performance.now();
  const cpu = process.cpuUsage(lastCpu);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  if (Date.now() >= dueAt) {
    if (now - last > longest) [longest, longestCpu] = [now - last, cpuMs];
    longestByCpu = Math.max(longestByCpu, cpuMs);
  }
  last = now;
  lastCpu = process.cpuUsage();
}, 1);
const started = await new Promise<number>((resolve) => {
  const wait = setInterval(() => {
    if (changes > 0) {
      clearInterval(wait);
      resolve(performance.now());
    }
  }, 1);
});
await new Promise<void>((resolve) => {
  const done = setInterval(() => {
    if (changes >= leases || performance.now() - started > 30_000) {
      clearInterval(done);
      resolve();
    }
  }, 5);
});
clearInterval(probe);
console.log(`${changes} of ${leases} leases renewing in ${((performance.now() - started) / 1000).toFixed(2)} s; longest event-loop stall ${longest.toFixed(1)} ms `
  + `(${longestCpu.toFixed(1)} ms of CPU in it; most CPU between two probe ticks ${longestByCpu.toFixed(1)} ms)`);
book.stop();
