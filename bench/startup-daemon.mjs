// Start-up the production way: the built daemon (`node <shebang flags> dist/src/cli.js --config F`) on a LevelDB
// store of N bound leases, in a network namespace of its own (no interface but its loopback: nothing reaches it, and
// it touches no host interface). Run 1 restores by a full scan and writes the snapshot when SIGTERM stops it; run 2
// starts from that snapshot; run 3 too, and is killed (SIGKILL) once serving; run 4 is the start after that crash
// (from the snapshot and its commit journal, or a scan). For each: seconds from exec to the `server.ready` log line, the daemon's RSS then
// (VmRSS; VmHWM is the peak during start-up), and how long the stop took (the snapshot write is part of it).
// Bounded: one temp directory (removed), one namespace (removed), four daemon runs of at most 120 s each (eight with A).
// A=DIR first does the same two runs with DIR's built daemon (another checkout with its own dist/, e.g. the previous
// head) on its own copy of the store: an A/B in the same period.
// usage: npm run build && [STORE=DIR] [A=DIR] [PROFILE=DIR] [WARMUP_MS=N] [CRASH_WRITES=K [CHECKPOINT=N] [RATE=R]] node bench/startup-daemon.mjs [leases=1000000]   (root: it creates a namespace)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const leases = Number(process.argv[2] ?? 1_000_000);
const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const daemons = [...(process.env.A === undefined ? [] : [['A', process.env.A]]), ['self', repo]].map(([label, root]) => {
  const cli = join(root, 'dist/src/cli.js');
  const flags = readFileSync(cli, 'utf8').split('\n', 1)[0].split(/\s+/).filter((w) => w.startsWith('--'));
  // PROFILE=DIR adds --cpu-prof: one .cpuprofile per run and thread in DIR (bench/profile-timeline.mjs reads them).
  if (process.env.PROFILE !== undefined) flags.push('--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE}`);
  return { label, cli, flags };
});
const dir = mkdtempSync(join(tmpdir(), 'adstartd-'));
const ns = `adstart${process.pid}`;
const store = join(dir, 'leases');

// STORE=DIR starts from a copy of a store filled before (e.g. STARTUP_DIR's db-v2-N of startup.bench.ts). Either
// store goes without its snapshot (the fill's close writes one), so the first run scans.
if (process.env.STORE === undefined) {
  execFileSync(process.execPath, ['--import', 'tsx', join(repo, 'bench/startup.bench.ts'), '--fill', String(leases), store], { cwd: repo, stdio: 'inherit' });
} else {
  cpSync(process.env.STORE, store, { recursive: true });
}
rmSync(join(store, 'lease-snapshot.bin'), { force: true });
/** A config for a daemon on its own copy of the store. */
function configFor(label) {
  const config = join(dir, `${label}.json`);
  const path = join(dir, `leases-${label}`);
  cpSync(store, path, { recursive: true });
  writeFileSync(config, JSON.stringify({
    serverId: '198.19.0.254', interfaces: [], logging: { level: 'info' }, defaults: { leaseTime: 86_400 },
    conflictCheck: { enabled: false }, store: { kind: 'level', path }, control: { socket: join(dir, 'control.sock') },
    // WARMUP_MS=N: listen.warmupMs (default: the daemon's).
    ...(process.env.WARMUP_MS === undefined ? {} : { listen: { warmupMs: Number(process.env.WARMUP_MS) } }),
    subnets: [
      { subnet: '100.64.0.0/10', pools: [{ start: '100.64.0.10', end: '100.127.255.254' }] },
      { subnet: '198.19.0.0/16', pools: [{ start: '198.19.1.0', end: '198.19.255.254' }], router: ['198.19.0.1'] },
    ],
  }));
  return { config, path };
}

/** RSS now and at its peak (MB), and the CPU seconds the process used so far (all threads: user + system). */
function usageOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  // utime and stime are the 14th and 15th fields, after the parenthesized command name; clock ticks of 1/100 s.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024, cpu: (Number(fields[11]) + Number(fields[12])) / 100 };
}

function run({ cli, flags }, config, signal = 'SIGTERM') {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...flags, cli, '--config', config], { stdio: ['ignore', 'pipe', 'inherit'] });
    const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const result = {};
    createInterface({ input: child.stdout }).on('line', (line) => {
      let entry;
      try { entry = JSON.parse(line); } catch { return; }
      result.firstLog ??= (performance.now() - started) / 1000;
      if (entry.evt === 'leases.rehydrated') Object.assign(result, { from: entry.from, leases: entry.leases, restoreMs: entry.ms, delta: entry.delta, replayed: entry.replayed });
      if (entry.evt === 'store.snapshot.unused') result.snapshot = entry.reason === 'damaged' ? `damaged: ${entry.detail}` : entry.reason;
      if (entry.evt === 'store.snapshot.written') result.written = entry.ms;
      if (entry.evt === 'store.snapshot.failed' || entry.evt === 'store.snapshot.skipped') console.log(line);
      // Stopped once the control API is up too (it is built after server.ready), or 5 s after ready without it.
      const stop = () => {
        if (result.stopAt !== undefined) return;
        result.stopAt = performance.now();
        child.kill(signal);
      };
      if (entry.evt === 'control.listening') result.control = (performance.now() - started) / 1000;
      if (entry.evt === 'server.ready') {
        Object.assign(result, { ready: (performance.now() - started) / 1000 }, usageOf(child.pid));
        if (result.control === undefined) setTimeout(stop, 5_000);
      }
      if (result.ready !== undefined && result.control !== undefined) stop();
    });
    child.on('exit', (code) => {
      clearTimeout(guard);
      if (result.ready === undefined) reject(new Error(`the daemon exited (${code}) before serving`));
      else resolve({ ...result, stop: (performance.now() - result.stopAt) / 1000 });
    });
  });
}

try {
  execFileSync('ip', ['netns', 'add', ns]);
  for (const daemon of daemons) {
    const { config, path } = configFor(daemon.label);
    // The third run is killed (kill -9) once serving; the fourth is the start after that crash.
    for (const [label, signal] of [['full scan'], ['snapshot'], ['snapshot, then kill -9', 'SIGKILL'], ['after kill -9']]) {
      // CRASH_WRITES=K: before that start, startup-replay.mjs's child rewrites K leases of the store (CHECKPOINT and
      // RATE as there: its delta sections) and is killed, so the start applies them.
      if (label === 'after kill -9' && process.env.CRASH_WRITES !== undefined) {
        spawnSync(process.execPath, [join(repo, 'bench/startup-replay.mjs'), process.env.CRASH_WRITES, path], { stdio: 'inherit' });
      }
      const r = await run(daemon, config, signal);
      const replay = `${r.delta === undefined ? '' : `, ${r.delta} from the delta file`}${r.replayed === undefined ? '' : `, ${r.replayed} replayed`}`;
      console.log(`${daemon.label} ${label}: ${r.leases} leases (from ${r.from}${replay}${r.snapshot ? `; snapshot ${r.snapshot}` : ''}) ready in ${r.ready.toFixed(2)} s, `
        + `(${r.cpu.toFixed(2)} s of CPU; first log line at ${r.firstLog.toFixed(2)} s, leases restored in ${(r.restoreMs / 1000).toFixed(2)} s), `
        + `RSS ${r.rss.toFixed(0)} MB at ready (peak ${r.peak.toFixed(0)} MB)${r.control === undefined ? '' : `, control API up at ${r.control.toFixed(2)} s`}; `
        + `stopped in ${r.stop.toFixed(2)} s`
        + (r.written === undefined ? '' : ` (snapshot written in ${(r.written / 1000).toFixed(2)} s)`));
    }
  }
} finally {
  try { execFileSync('ip', ['netns', 'del', ns]); } catch { /* not created */ }
  rmSync(dir, { recursive: true, force: true });
}
