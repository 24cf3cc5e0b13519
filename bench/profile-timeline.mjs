// A V8 .cpuprofile as a timeline: per slice of time (100 ms by default), where the main thread spent it — the
// innermost of our own frames (dist/src or src, cli.js's module body aside) or else the library, or node's loader.
// For start-up, which profile-summary.mjs leaves out (it counts from the first packet on): module loading, the
// control API's construction, the store's restore, each at its time.
// usage: node bench/profile-timeline.mjs FILE.cpuprofile [sliceMs=100] [top=3]
import { readFileSync } from 'node:fs';

const [file, sliceArg = '100', topArg = '3'] = process.argv.slice(2);
// A daemon that ran a worker thread leaves a second .cpuprofile beside the main thread's: a glob
// would hand it over as the slice width.
if (file === undefined || !(Number(sliceArg) > 0) || !(Number(topArg) > 0)) {
  console.error('usage: node bench/profile-timeline.mjs FILE.cpuprofile [sliceMs=100] [top=3]  (one profile: the main thread\'s is the largest)');
  process.exit(2);
}
const slice = Number(sliceArg) * 1000;
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodeById = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map();
for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);

/** Where a sample is charged: the outermost frame of ours below cli.js, else the outermost library frame, else the leaf. */
function labelOf(id) {
  const chain = [];
  for (let at = id; at !== undefined; at = parentOf.get(at)) chain.unshift(nodeById.get(at).callFrame);
  const frame = chain.find((f) => /\/(dist\/)?src\/(?!cli\.[jt]s)/.test(f.url) && !f.url.includes('node_modules') && f.functionName !== '')
    ?? chain.find((f) => f.url.includes('node_modules')) ?? chain.at(-1);
  const lib = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url);
  const ours = /\/((?:dist\/)?src\/.*)$/.exec(frame.url);
  return `${lib?.[1] ?? ours?.[1] ?? frame.url}:${frame.functionName || '(module)'}`;
}

const slices = new Map();
let t = 0;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i] ?? 0;
  const key = Math.floor(t / slice);
  const label = labelOf(profile.samples[i]);
  const bucket = slices.get(key) ?? new Map();
  bucket.set(label, (bucket.get(label) ?? 0) + (profile.timeDeltas[i] ?? 0));
  slices.set(key, bucket);
}
for (const [key, bucket] of slices) {
  const top = [...bucket].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg));
  console.log(`${String((key * slice) / 1000).padStart(6)} ms  ${top.map(([label, us]) => `${(us / 1000).toFixed(0)} ${label}`).join(' | ')}`);
}
