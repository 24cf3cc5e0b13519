// Bytes allocated per DORA, by allocation site. `node --heap-prof` is not the tool for this: its sampling profile
// keeps only the samples still alive when it is written, so garbage — what the GC pays for — is left out. This
// records with the inspector's sampling heap profiler told to keep collected objects too.
//
// Record (a preload; the profile is written at exit):
//   ALLOC_OUT=/tmp/a.heapprofile node --import ./bench/alloc-profile.mjs --import tsx bench/inprocess.bench.ts 20000 256 level
// Summarize (the server's side only: the bench's own client and its encode/decode are left out):
//   node bench/alloc-profile.mjs /tmp/a.heapprofile 20000 [top=30]
// It prints KB per DORA, then bytes per DORA by the nearest project file on the stack and by allocating function.
// Stacks lose frames to inlining: for exact attribution add --no-turbo-inlining (the total grows a little, as
// escape analysis then removes fewer objects).
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { fileURLToPath } from 'node:url';

if (process.argv[1] === fileURLToPath(import.meta.url)) summarize(process.argv[2], Number(process.argv[3] ?? 20000), Number(process.argv[4] ?? 30));
else record(process.env.ALLOC_OUT ?? `/tmp/alloc-${process.pid}.heapprofile`);

function record(out) {
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.enable');
  session.post('HeapProfiler.startSampling', {
    // ALLOC_SURVIVORS=1 drops what the scavenger collects: what is left is what outlived the young generation (died
    // in a major GC, or is still alive at the end), the objects that make major GCs run.
    samplingInterval: 4096, includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: process.env.ALLOC_SURVIVORS !== '1',
  });
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    // The inspector answers a session of the same thread synchronously: written before the process exits.
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (error) return console.error('alloc-profile:', error);
      writeFileSync(out, JSON.stringify(result.profile));
      console.error(`alloc-profile: ${out}`);
    });
  };
  process.on('beforeExit', write);
  process.on('exit', write);
}

function summarize(file, doras, top) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const rel = (url) => url.replace(/^file:\/\//, '').replace(/.*\/(src|bench|machines|test|node_modules)\//, '$1/');
  const byFile = new Map();
  const byFunction = new Map();
  let server = 0;
  let client = 0;
  const add = (map, key, bytes) => map.set(key, (map.get(key) ?? 0) + bytes);
  // A sample is the client's when its stack has a bench/test frame and no server frame (src/ outside the codec, or
  // decodeRequest, the server's decode: the ingress frame above it can be lost to inlining).
  const walk = (node, state) => {
    const frame = node.callFrame;
    const url = rel(frame.url);
    const project = /^(src|machines|bench|test)\//.test(url);
    const next = {
      bench: state.bench || /^(bench|test)\//.test(url),
      server: state.server || (/^(src|machines)\//.test(url) && !url.startsWith('src/codec/')) || frame.functionName === 'decodeRequest',
      at: project ? url : state.at,
    };
    if (next.bench && !next.server) client += node.selfSize;
    else if (node.selfSize > 0) {
      server += node.selfSize;
      add(byFile, next.at, node.selfSize);
      add(byFunction, `${frame.functionName || '(anonymous)'} ${url || '(native)'}`, node.selfSize);
    }
    for (const child of node.children) walk(child, next);
  };
  walk(profile.head, { bench: false, server: false, at: '(no project frame)' });
  const kb = (bytes) => (bytes / doras / 1024).toFixed(2);
  console.log(`server ${kb(server)} KB per DORA (the bench's client ${kb(client)} KB), ${doras} DORAs`);
  for (const [title, map] of [['by nearest project file', byFile], ['by allocating function', byFunction]]) {
    console.log(`\n${title} (bytes per DORA):`);
    for (const [key, bytes] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`${(bytes / doras).toFixed(0).padStart(7)}  ${key}`);
    }
  }
}
