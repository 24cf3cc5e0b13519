// Reads what bench/stalls/trace.sh recorded in DIR and prints: the event loop's delay during the load, each stall
// over STALL_MS with the GC pauses inside it and the CPU every thread took in it (from the 10 ms schedstat samples,
// so a window is widened to whole samples), and per-thread CPU over the whole load.
// usage: node bench/stalls/report.mjs DIR   (STALL_MS=30 TOP=25)
import { readdirSync, readFileSync, statSync } from 'node:fs';

const dir = process.argv[2];
if (!dir) { console.error('usage: node report.mjs DIR'); process.exit(2); }
const STALL_MS = Number(process.env.STALL_MS ?? 30);
const TOP = Number(process.env.TOP ?? 25);
const loop = JSON.parse(readFileSync(`${dir}/loop.json`, 'utf8'));
const t0 = Number(readFileSync(`${dir}/load-start`, 'utf8'));
const t1 = Number(readFileSync(`${dir}/load-end`, 'utf8'));
const samples = readFileSync(`${dir}/threads.jsonl`, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const names = samples.at(-1)?.names ?? {};
const mainTid = Object.keys(samples[0]?.th ?? {}).map(Number).sort((a, b) => a - b)[0];
// Threads sleeping on one futex word (the low bits masked: a condition variable's words sit side by side) form a
// pool; in creation order the first pool of several is V8's platform workers, the next libuv's.
const pools = new Map();
for (const [tid, wait] of Object.entries(samples.at(-1)?.waits ?? {}).sort((a, b) => a[0] - b[0])) {
  const [nr, arg] = wait.split(' ');
  if (nr !== '202') continue;
  const key = (BigInt(arg) & ~0xfn).toString();
  pools.set(key, [...(pools.get(key) ?? []), tid]);
}
const poolOf = new Map();
const poolNames = ['v8', 'uv'];
for (const tids of [...pools.values()].filter((t) => t.length >= 2)) {
  const name = poolNames.shift();
  if (name === undefined) break;
  for (const tid of tids) poolOf.set(tid, name);
}
const label = (tid) => (Number(tid) === mainTid ? 'main' : `${poolOf.get(tid) ?? names[tid] ?? '?'}:${tid}`);

const inLoad = loop.ticks.filter(([t]) => t >= t0 && t <= t1);
const lags = inLoad.map(([, l]) => l).sort((a, b) => a - b);
const pct = (p) => lags[Math.min(lags.length - 1, Math.floor((p / 100) * lags.length))]?.toFixed(1);
console.log(`\nevent loop during the load (${((t1 - t0) / 1000).toFixed(1)} s, ${lags.length} ticks of ${loop.tickMs} ms):` +
  ` delay p50 ${pct(50)} p99 ${pct(99)} p99.9 ${pct(99.9)} max ${lags.at(-1)?.toFixed(1)} ms;` +
  ` ticks late > 20 ms: ${lags.filter((l) => l > 20).length}, > 50: ${lags.filter((l) => l > 50).length}, > 100: ${lags.filter((l) => l > 100).length}`);

const gcs = loop.gc.filter(([t]) => t >= t0 && t <= t1);
const byKind = {};
for (const [, ms, kind] of gcs) { const k = (byKind[kind] ??= { n: 0, ms: 0, max: 0 }); k.n++; k.ms += ms; k.max = Math.max(k.max, ms); }
console.log('GC pauses on the main thread during the load: ' +
  Object.entries(byKind).map(([k, v]) => `${k} ${v.n}× ${v.ms.toFixed(0)} ms (max ${v.max.toFixed(1)})`).join(', '));

// CPU (run ns) and run-queue wait of each thread between the samples that bracket [a, b].
function usage(a, b) {
  let i = samples.findLastIndex((s) => s.t <= a); if (i < 0) i = 0;
  let j = samples.findIndex((s) => s.t >= b); if (j < 0) j = samples.length - 1;
  const s0 = samples[i], s1 = samples[j], per = {};
  for (const [tid, [run, wait]] of Object.entries(s1.th)) {
    const [r0, w0] = s0.th[tid] ?? [0, 0];
    per[tid] = [(run - r0) / 1e6, (wait - w0) / 1e6];
  }
  return { from: s0.t, to: s1.t, per };
}
const fmtThreads = (per, min) => Object.entries(per).filter(([tid, [r]]) => r >= min || Number(tid) === mainTid)
  .sort((x, y) => y[1][0] - x[1][0])
  .map(([tid, [r, w]]) => `${label(tid)} ${r.toFixed(0)}${Number(tid) === mainTid ? ` (waited ${w.toFixed(0)})` : ''}`).join(', ');

// With CPU_PROF=1: the main thread's samples on the wall clock, each named by its innermost frame of our own code
// (else the leaf: a library, a builtin, "(garbage collector)", "(program)").
const profiled = (() => {
  const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => `${dir}/${f}`).sort((x, y) => statSync(y).size - statSync(x).size)[0];
  if (file === undefined || loop.monotonicToWallMs === undefined) return undefined;
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const nameOf = new Map();
  const short = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(dist\/)?(src|node_modules)\//, '$2/')}:${n.callFrame.lineNumber + 1}`;
  const name = (id) => {
    if (nameOf.has(id)) return nameOf.get(id);
    const leaf = byId.get(id);
    let label = leaf.callFrame.functionName.startsWith('(') ? leaf.callFrame.functionName : undefined;
    for (let at = id; label === undefined && at !== undefined; at = parent.get(at)) {
      const url = byId.get(at).callFrame.url;
      if (/\/src\//.test(url) && !url.includes('node_modules')) label = short(byId.get(at));
    }
    label ??= short(leaf);
    nameOf.set(id, label);
    return label;
  };
  const at = new Float64Array(profile.samples.length);
  let t = profile.startTime;
  for (let i = 0; i < at.length; i++) at[i] = (t += profile.timeDeltas[i]) / 1000 + loop.monotonicToWallMs;
  return { at, samples: profile.samples, name };
})();
function ranIn(a, b, top = 3) {
  if (profiled === undefined) return '';
  const ms = new Map();
  for (let i = 0; i < profiled.at.length; i++) {
    if (profiled.at[i] < a || profiled.at[i] > b) continue;
    const dt = i + 1 < profiled.at.length ? profiled.at[i + 1] - profiled.at[i] : 0;
    const n = profiled.name(profiled.samples[i]);
    ms.set(n, (ms.get(n) ?? 0) + dt);
  }
  return ' | ran: ' + [...ms].sort((x, y) => y[1] - x[1]).slice(0, top).map(([n, v]) => `${n} ${v.toFixed(0)}`).join(', ');
}

const stalls = inLoad.filter(([, l]) => l > STALL_MS).sort((a, b) => b[1] - a[1]).slice(0, TOP).sort((a, b) => a[0] - b[0]);
console.log(`\nstalls over ${STALL_MS} ms (worst ${TOP}, in time order; t = s since the load began; CPU ms per thread in the sampled window):`);
for (const [t, lag] of stalls) {
  const a = t - lag - loop.tickMs, b = t;
  const g = loop.gc.filter(([at, ms]) => at + ms >= a && at <= b);
  const gtxt = g.length ? g.map(([, ms, k]) => `${k} ${ms.toFixed(0)}`).join(' ') : 'none';
  const u = usage(a, b);
  console.log(`  t=${((a - t0) / 1000).toFixed(2)} stall ${lag.toFixed(0)} ms | GC: ${gtxt} | ${u.to - u.from} ms window: ${fmtThreads(u.per, 3)}${ranIn(a, b)}`);
}

// Where the stalled time went, all stalls together: each thread class's CPU in the stall windows (sampled windows,
// merged where they overlap), the main thread's wait for the core, and the main thread's GC pauses in them.
{
  const windows = inLoad.filter(([, l]) => l > STALL_MS).map(([t, l]) => usage(t - l - loop.tickMs, t)).sort((x, y) => x.from - y.from);
  const merged = [];
  for (const w of windows) {
    const last = merged.at(-1);
    if (last !== undefined && w.from < last.to) { if (w.to > last.to) merged[merged.length - 1] = usage(last.from, w.to); } else merged.push(w);
  }
  const classOf = (tid) => (Number(tid) === mainTid ? 'main' : poolOf.get(tid) ?? 'other threads');
  const sums = { main: 0, 'main waited': 0, v8: 0, uv: 0, 'other threads': 0 };
  let span = 0, gcMain = 0;
  for (const w of merged) {
    span += w.to - w.from;
    for (const [tid, [r, wt]] of Object.entries(w.per)) {
      sums[classOf(tid)] += r;
      if (Number(tid) === mainTid) sums['main waited'] += wt;
    }
    for (const [at, ms] of loop.gc) if (at >= w.from && at <= w.to) gcMain += ms;
  }
  if (span > 0) {
    const pctOf = (v) => `${((v / span) * 100).toFixed(0)} %`;
    console.log(`\nall ${windows.length} stalls over ${STALL_MS} ms: ${span} ms of sampled windows; main ran ${pctOf(sums.main)} (GC pauses ${pctOf(gcMain)}),` +
      ` waited for the core ${pctOf(sums['main waited'])}; V8 workers ran ${pctOf(sums.v8)}, libuv pool ${pctOf(sums.uv)}, other threads (LevelDB's) ${pctOf(sums['other threads'])}`);
  }
}

// perfdhcp's receive queue: how many of our replies it dropped in the 300 ms after a stall began, and elsewhere.
if (samples.some((s) => s.cliDrops !== undefined)) {
  const stallStarts = inLoad.filter(([, l]) => l > STALL_MS).map(([t, l]) => t - l - loop.tickMs);
  let after = 0, other = 0;
  for (let i = 1; i < samples.length; i++) {
    const d = (samples[i].cliDrops ?? 0) - (samples[i - 1].cliDrops ?? 0);
    if (d <= 0 || samples[i].t < t0 || samples[i].t > t1 + 1000) continue;
    if (stallStarts.some((s) => samples[i].t >= s && samples[i].t <= s + 300)) after += d; else other += d;
  }
  const covered = stallStarts.length * 300 / (t1 - t0 + 1000) * 100;
  console.log(`perfdhcp's receive queue dropped ${after + other} of our replies: ${after} within 300 ms of a stall's start` +
    ` (those windows: at most ${covered.toFixed(0)} % of the load), ${other} elsewhere`);
}

{
  const ran = samples.filter((s) => s.perfdhcp !== undefined && s.t >= t0 && s.t <= t1);
  if (ran.length >= 2) {
    // The thread group's leader is perfdhcp's main loop; of the others, only its receiver thread is busy.
    // Each thread between the first and the last sample that have it: the receiver starts after perfdhcp's set-up
    // and ends before its report.
    const share = (tid) => {
      const first = ran.find((s) => s.perfdhcp[tid] !== undefined);
      const last = ran.findLast((s) => s.perfdhcp[tid] !== undefined);
      const span = last.t - first.t;
      const [run, wait, wakeups] = [0, 1, 2].map((k) => last.perfdhcp[tid][k] - first.perfdhcp[tid][k]);
      return span > 0 ? { run: run / 1e4 / span, wait: wait / 1e4 / span, wakeups: (wakeups * 1000) / span } : undefined;
    };
    const tids = [...new Set(ran.flatMap((s) => Object.keys(s.perfdhcp)))];
    const busy = tids.map((tid) => [tid, share(tid)]).filter(([, x]) => x !== undefined && x.run >= 1)
      .sort(([x], [y]) => Number(x) - Number(y));
    const parts = busy.map(([, x], i) =>
      `${i === 0 ? 'main loop' : 'receiver'} ran ${x.run.toFixed(0)} %, waited ${x.wait.toFixed(0)} %, woke ${x.wakeups.toFixed(0)}/s`);
    console.log(`perfdhcp (its threads on its own core): ${parts.join('; ')}`);
  }
}

const whole = usage(t0, t1);
const secs = (whole.to - whole.from) / 1000;
const hz = 100; // USER_HZ of /proc/stat
const oursPct = Object.values(whole.per).reduce((a, [r]) => a + r, 0) / 10 / secs;
const busyPct = ((samples.find((s) => s.t === whole.to).cpuBusy - samples.find((s) => s.t === whole.from).cpuBusy) / hz / secs) * 100;
console.log(`\nthe server's CPU: busy ${busyPct.toFixed(1)} % (all processes), ours ${oursPct.toFixed(1)} %, others ${(busyPct - oursPct).toFixed(1)} %`);
const sw = samples.filter((s) => s.sw && s.t >= whole.from && s.t <= whole.to);
const acks = Number(/Statistics for: REQUEST-ACK[\s\S]*?received packets: (\d+)/.exec(readFileSync(`${dir}/perfdhcp.txt`, 'utf8'))?.[1] ?? 0);
if (sw.length >= 2 && acks > 0) {
  const [a, b] = [sw[0].sw, sw.at(-1).sw];
  let vol = 0, invol = 0;
  for (const [tid, [v, i]] of Object.entries(b)) { vol += v - (a[tid]?.[0] ?? 0); invol += i - (a[tid]?.[1] ?? 0); }
  const span = (sw.at(-1).t - sw[0].t) / 1000;
  console.log(`context switches, all threads: ${(vol / span).toFixed(0)}/s voluntary, ${(invol / span).toFixed(0)}/s involuntary;` +
    ` per ACK ${((vol + invol) / span / (acks / ((t1 - t0) / 1000))).toFixed(2)}; CPU of all threads per ACK ${(oursPct * 10 * secs / acks * 1000).toFixed(0)} µs (${acks} ACKs)`);
}
console.log(`\nper-thread CPU over the load (% of one core; main's run-queue wait alongside):`);
for (const [tid, [r, w]] of Object.entries(whole.per).sort((x, y) => y[1][0] - x[1][0])) {
  if (r / 10 / secs < 0.1 && Number(tid) !== mainTid) continue;
  console.log(`  ${label(tid).padEnd(26)} ${(r / 10 / secs).toFixed(1).padStart(5)} %${Number(tid) === mainTid ? `   waited runnable ${(w / 10 / secs).toFixed(1)} %` : ''}`);
}
