// Samples, every INTERVAL ms until PID exits or LIMIT s pass, and writes as JSON lines to OUT: every thread of PID
// (/proc/PID/task/*/schedstat: ns on a CPU, ns waiting runnable; its name and what it first waited in; every tenth
// time its context switches), CPU's busy ticks (/proc/stat, all processes), perfdhcp's own CPU and wait, and with
// CLIENT_PID the UDP receive-queue drops (RcvbufErrors) of that process's network namespace (the load generator's:
// our replies its full queue dropped).
// usage: node threads.mjs PID OUT [INTERVAL=10] [LIMIT=120] [CPU=1] [CLIENT_PID]
import { readFileSync, readdirSync, writeFileSync, appendFileSync } from 'node:fs';
import { clearInterval, setInterval } from 'node:timers';

const [pid, out, intervalArg = '10', limitArg = '120', cpu = '1', clientPid] = process.argv.slice(2);
if (!pid || !out) { console.error('usage: node threads.mjs PID OUT [INTERVAL_MS] [LIMIT_S] [CPU] [CLIENT_PID]'); process.exit(2); }
const interval = Number(intervalArg);
const end = Date.now() + Number(limitArg) * 1000;
writeFileSync(out, '');
const names = new Map();
const waits = new Map();
let n = 0;
/** Voluntary and involuntary context switches of a thread. */
function switches(tid, of = pid) {
  const status = readFileSync(`/proc/${of}/task/${tid}/status`, 'utf8');
  return [Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(status)[1]), Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(status)[1])];
}
function rcvbufErrors(of) {
  try {
    const [names, values] = readFileSync(`/proc/${of}/net/snmp`, 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
    return Number(values.split(/\s+/)[names.split(/\s+/).indexOf('RcvbufErrors')]);
  } catch {
    return undefined;
  }
}
/**
 * perfdhcp's threads, once it runs: each one's CPU and run-queue wait (ns) and voluntary switches (its wake-ups). Its
 * main loop and its receiver thread share one core: how that core is split decides how fast it drains our replies.
 */
let perfdhcpPid;
function perfdhcp() {
  if (perfdhcpPid === undefined && n % 10 === 1) {
    perfdhcpPid = readdirSync('/proc').find((p) => /^\d+$/.test(p) && (() => { try { return readFileSync(`/proc/${p}/comm`, 'utf8') === 'perfdhcp\n'; } catch { return false; } })());
  }
  if (perfdhcpPid === undefined) return undefined;
  let tids;
  try {
    tids = readdirSync(`/proc/${perfdhcpPid}/task`);
  } catch {
    perfdhcpPid = undefined; // it ended (a warm-up's perfdhcp): the next one is looked for
    return undefined;
  }
  const threads = {};
  for (const tid of tids) {
    try {
      const [run, wait] = readFileSync(`/proc/${perfdhcpPid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      threads[tid] = [run, wait, switches(tid, perfdhcpPid)[0]];
    } catch { /* the thread ended */ }
  }
  return threads;
}
function sample() {
  let tids;
  try { tids = readdirSync(`/proc/${pid}/task`); } catch { return false; }
  const row = { t: Date.now(), th: {} };
  const withSwitches = n++ % 10 === 0;
  if (withSwitches) row.sw = {};
  for (const tid of tids) {
    try {
      const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ');
      if (!names.has(tid)) names.set(tid, readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim());
      // What each thread first waited in (syscall number and first argument): report.mjs tells the pools by it.
      if (!waits.has(tid)) waits.set(tid, readFileSync(`/proc/${pid}/task/${tid}/syscall`, 'utf8').split(' ').slice(0, 2).join(' '));
      row.th[tid] = [Number(run), Number(wait)];
      if (withSwitches) row.sw[tid] = switches(tid);
    } catch { /* the thread ended */ }
  }
  row.names = Object.fromEntries(names);
  row.waits = Object.fromEntries(waits);
  const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`cpu${cpu} `));
  const f = line.split(/\s+/).slice(1).map(Number);
  row.cpuBusy = f[0] + f[1] + f[2] + f[5] + f[6];
  if (clientPid !== undefined) row.cliDrops = rcvbufErrors(clientPid);
  row.perfdhcp = perfdhcp();
  appendFileSync(out, JSON.stringify(row) + '\n');
  return true;
}
const timer = setInterval(() => { if (!sample() || Date.now() > end) clearInterval(timer); }, interval);
