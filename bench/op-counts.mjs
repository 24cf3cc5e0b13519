// Counts, per DORA and by call site, the hash-table probes (Map, Set and WeakMap get/set/has/delete/add) and the clock
// reads (Date.now) of the server: what `perf` shows only as Builtins_FindOrderedHashMapEntry and a share of time,
// here as exact counts that do not depend on the host's load (a before/after of a change is a diff of two lists).
// A preload; it slows the run down many times over, so use a few thousand DORAs:
//   DORAS=6000 node --import ./bench/op-counts.mjs --import tsx bench/inprocess.bench.ts 6000 256 null
// Knobs: DORAS (to divide by), DELAY ms before counting starts (start-up left out, default 2000), TOP (default 60).
// The bench's own client shows up too (bench/inprocess.bench.ts, src/collections/slot-map.ts: its pending replies).
const counts = new Map();
const get = Map.prototype.get;
const set = Map.prototype.set;
let counting = false;
setTimeout(() => (counting = true), Number(process.env.DELAY ?? 2000)).unref();

function site() {
  const holder = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 3;
  Error.captureStackTrace(holder, bump);
  Error.stackTraceLimit = limit;
  // [0] "Error", [1] the patched method, [2] its caller.
  return (holder.stack.split('\n')[2] ?? '').trim().replace(/\(?file:\/\//, '').replace(/\)$/, '');
}

function bump(kind) {
  if (!counting) return;
  counting = false; // the bookkeeping's own Map calls are not counted
  const key = `${kind} ${site()}`;
  set.call(counts, key, (get.call(counts, key) ?? 0) + 1);
  counting = true;
}

for (const [C, names] of [[Map, ['get', 'set', 'has', 'delete']], [Set, ['has', 'add', 'delete']], [WeakMap, ['get', 'set', 'has', 'delete']]]) {
  for (const name of names) {
    const original = C.prototype[name];
    const label = `${C.name}.${name}`;
    Object.defineProperty(C.prototype, name, {
      value: function (...args) {
        bump(label);
        return original.apply(this, args);
      },
      writable: true, configurable: true,
    });
  }
}
const now = Date.now;
Date.now = function () {
  bump('Date.now');
  return now();
};

process.on('exit', () => {
  counting = false;
  const doras = Number(process.env.DORAS ?? 1);
  const rows = [...counts].sort((a, b) => b[1] - a[1]);
  const totals = new Map();
  for (const [key, n] of rows) totals.set(key.split(' ')[0], (totals.get(key.split(' ')[0]) ?? 0) + n);
  console.error(`per DORA (${doras} DORAs):`);
  for (const [kind, n] of totals) console.error(`  total ${kind} ${(n / doras).toFixed(2)}`);
  for (const [key, n] of rows.slice(0, Number(process.env.TOP ?? 60))) console.error(`${(n / doras).toFixed(2).padStart(8)} ${key}`);
});
