// Prints the same-run comparison from the sweep CSV: per mode, each server's highest sustainable rate (< MAX_DROP %
// drops, >= MIN_ACHIEVED % sent), its CPU per DORA at that rate, its saturation goodput, and ours / Kea's ratios.
// usage: node table.mjs results.csv [ours=self] [peer=kea]
import { readFileSync } from 'node:fs';

const [file, ours = 'self', peer = 'kea'] = process.argv.slice(2);
const [head, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
const cols = head.split(',');
const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));

function summary(label, mode) {
  const mine = rows.filter((r) => r.label === label && r.mode === mode);
  const best = mine.filter((r) => r.kind === 'step' && r.ok === 'ok').sort((a, b) => Number(b.req) - Number(a.req))[0];
  const sat = mine.find((r) => r.kind === 'sat');
  const cpuUs = (r) => (r && r.srv_cpu_pct && Number(r.done_per_s) > 0 ? (Number(r.srv_cpu_pct) * 1e4) / Number(r.done_per_s) : NaN);
  return {
    sustained: best ? Number(best.req) : 0, sustainedCpu: best?.srv_cpu_pct, sustainedLoad: best?.load1m,
    cpuPerDora: cpuUs(best), sat: sat ? Number(sat.done_per_s) : NaN, satLatency: sat?.RA_avg_ms, satCpuPerDora: cpuUs(sat),
    satLoad: sat?.load1m, topOfSweep: best && !mine.some((r) => r.kind === 'step' && r.ok !== 'ok'),
  };
}

const f = (n, d = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a');
const ratio = (a, b) => (b > 0 && Number.isFinite(a) && Number.isFinite(b) ? `${(a / b).toFixed(2)}×` : 'n/a');
const modes = [...new Set(rows.map((r) => r.mode))];
console.log(`| mode | figure | ${ours} | ${peer} | ratio |`);
console.log('|---|---|---|---|---|');
for (const mode of modes) {
  const a = summary(ours, mode);
  const b = summary(peer, mode);
  const top = (s) => (s.topOfSweep ? ' (top of sweep)' : '');
  console.log(`| ${mode} | max DORA/s, < 1 % drops | ${f(a.sustained)}${top(a)} | ${f(b.sustained)}${top(b)} | ${ratio(a.sustained, b.sustained)} |`);
  console.log(`| ${mode} | server CPU there (µs per DORA) | ${a.sustainedCpu ?? 'n/a'} % (${f(a.cpuPerDora)}) | ${b.sustainedCpu ?? 'n/a'} % (${f(b.cpuPerDora)}) | ${ratio(b.cpuPerDora, a.cpuPerDora)} |`);
  console.log(`| ${mode} | saturation goodput, ACK/s | ${f(a.sat)} | ${f(b.sat)} | ${ratio(a.sat, b.sat)} |`);
  console.log(`| ${mode} | saturation: RA latency avg ms, µs CPU per DORA | ${a.satLatency ?? 'n/a'}, ${f(a.satCpuPerDora)} | ${b.satLatency ?? 'n/a'}, ${f(b.satCpuPerDora)} | |`);
  console.log(`| ${mode} | host load (1 min) at those steps | ${a.sustainedLoad ?? '-'} / ${a.satLoad ?? '-'} | ${b.sustainedLoad ?? '-'} / ${b.satLoad ?? '-'} | |`);
}
