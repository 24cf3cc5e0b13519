// Summarizes a V8 .cpuprofile (from `node --cpu-prof`) by self time: per area (GC, LevelDB, our folders, node
// internals, libraries) and the top functions. Only the samples from the first packet on count (the first sample in
// src/codec/decode): start-up (module loading, the config, the store's open) is not the cost of a DORA. With the number of
// completed DORAs, each line also says its main-thread µs per DORA. Areas under 0.1 % are left out.
// usage: node bench/profile-summary.mjs FILE.cpuprofile [top=25] [doras]
import { readFileSync } from 'node:fs';

const [file, topArg = '25', dorasArg] = process.argv.slice(2);
const doras = dorasArg === undefined ? undefined : Number(dorasArg);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const self = new Map(profile.nodes.map((n) => [n.id, 0]));
const deltas = profile.timeDeltas;
const nodeById = new Map(profile.nodes.map((n) => [n.id, n]));
const firstPacket = Math.max(0, profile.samples.findIndex((id) => /\/src\/codec\/decode\.[jt]s$/.test(nodeById.get(id).callFrame.url)));
let skipped = 0;
for (let i = 0; i < profile.samples.length; i++) {
  // A sample's delta is the time since the previous one: it is charged to this sample.
  if (i < firstPacket) skipped += deltas[i] ?? 0;
  else self.set(profile.samples[i], self.get(profile.samples[i]) + (deltas[i] ?? 0));
}

function area(frame) {
  const { functionName: fn, url } = frame;
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(idle)') return 'idle';
  if (fn === '(program)') return 'V8 (program)';
  if (/classic-level|abstract-level|level-transcoder|maybe-combine|module-error/.test(url)) return 'LevelDB (JS + native)';
  const m = /\/(src|machines)\/([^/]+)\//.exec(url) ?? /\/(src|machines)\/([^/]+)\.ts/.exec(url);
  if (m && !url.includes('node_modules')) return m[1] === 'machines' ? 'machines/' : `src/${m[2]}`;
  const lib = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (lib) return lib[1];
  if (url.startsWith('node:') || url === '') return fn === '' ? 'native/other' : 'node internals';
  return 'other';
}

let total = 0, idle = 0;
const byArea = new Map(), byFn = new Map();
for (const node of profile.nodes) {
  const t = self.get(node.id);
  total += t;
  const a = area(node.callFrame);
  if (a === 'idle') { idle += t; continue; }
  byArea.set(a, (byArea.get(a) ?? 0) + t);
  const key = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/.*\/(node_modules|src|machines)\//, '$1/')}:${node.callFrame.lineNumber + 1}`;
  byFn.set(key, (byFn.get(key) ?? 0) + t);
}
const busy = total - idle;
const perDora = (t) => (doras === undefined ? '' : `  ${(t / doras).toFixed(1).padStart(6)} µs`);
const pct = (t) => `${((t / busy) * 100).toFixed(1).padStart(5)} %${perDora(t)}`;
console.log(`profile ${file}: ${(total / 1e6).toFixed(1)} s sampled from the first packet (${(skipped / 1e6).toFixed(1)} s of start-up left out), ${(busy / 1e6).toFixed(1)} s busy (idle ${(idle / 1e6).toFixed(1)} s)`);
if (doras !== undefined) console.log(`main thread: ${(busy / doras).toFixed(1)} µs of CPU per DORA (${doras} DORAs)`);
console.log('\nby area (self time, % of busy):');
for (const [a, t] of [...byArea].sort((x, y) => y[1] - x[1]).filter(([, t]) => t >= busy / 1000)) console.log(`  ${pct(t)}  ${a}`);
console.log(`\ntop ${topArg} functions:`);
for (const [f, t] of [...byFn].sort((x, y) => y[1] - x[1]).slice(0, Number(topArg))) console.log(`  ${pct(t)}  ${f}`);
