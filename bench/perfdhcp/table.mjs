// Prints the same-run comparison from the sweep CSV: per mode, each server's highest sustainable rate (< MAX_DROP %
// drops, >= MIN_ACHIEVED % sent), its CPU per DORA at that rate, its saturation goodput, and the ratio of each of
// ours to the reference server (Kea). With perfdhcp.sh's SAT_PAIRS, also the alternating saturation runs: each peer's
// median goodput and range, and the median of the per-round ratios.
// usage: node table.mjs results.csv [reference=kea]
import { readFileSync } from 'node:fs';

const [file, reference = 'kea'] = process.argv.slice(2);
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
    satLoad: sat?.load1m, topOfSweep: best !== undefined && !mine.some((r) => r.kind === 'step' && r.ok !== 'ok'),
    satRounds: mine.filter((r) => r.kind === 'satpair').map((r) => Number(r.done_per_s)),
    // Second by second (columns absent from a CSV of an older sweep.sh: NaN, shown n/a).
    satFirst: mine.filter((r) => r.kind === 'satpair').map((r) => Number(r.ack_first_s || NaN)),
    satSteady: mine.filter((r) => r.kind === 'satpair').map((r) => Number(r.ack_steady_per_s || NaN)),
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** Round i of ours against round i of the reference (they ran back to back). */
const roundRatios = (a, b, key = 'satRounds') => a[key].slice(0, b[key].length).map((x, i) => x / b[key][i]).filter(Number.isFinite);
const ratioRange = (r) => (r.length === 0 ? 'n/a' : `${median(r).toFixed(2)}× (${Math.min(...r).toFixed(2)}–${Math.max(...r).toFixed(2)})`);

const f = (n, d = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a');
const ratio = (a, b) => (b > 0 && a > 0 && Number.isFinite(a) && Number.isFinite(b) ? `${(a / b).toFixed(2)}×` : 'n/a');
const modes = [...new Set(rows.map((r) => r.mode))];
const labels = [...new Set(rows.map((r) => r.label))];
const ours = labels.filter((l) => l !== reference);
console.log(`| mode | figure | ${labels.join(' | ')} | ${ours.map((l) => `${l} / ${reference}`).join(' | ')} |`);
console.log(`|---|---|${labels.map(() => '---|').join('')}${ours.map(() => '---|').join('')}`);
for (const mode of modes) {
  const s = Object.fromEntries(labels.map((l) => [l, summary(l, mode)]));
  const ref = s[reference];
  const row = (figure, cell, ratioOf) =>
    console.log(`| ${mode} | ${figure} | ${labels.map((l) => cell(s[l])).join(' | ')} | ${ours.map((l) => (ratioOf && ref ? ratioOf(s[l], ref) : '')).join(' | ')} |`);
  row('max DORA/s, < 1 % drops', (x) => `${f(x.sustained)}${x.topOfSweep ? ' (top of sweep)' : ''}`, (a, b) => ratio(a.sustained, b.sustained));
  row('server CPU there, µs per DORA (ratio: Kea µs / ours)', (x) => `${x.sustainedCpu ?? 'n/a'} %, ${f(x.cpuPerDora)}`, (a, b) => ratio(b.cpuPerDora, a.cpuPerDora));
  row('saturation goodput, ACK/s', (x) => f(x.sat), (a, b) => ratio(a.sat, b.sat));
  row('saturation: µs CPU per DORA; RA latency avg ms', (x) => `${f(x.satCpuPerDora)}; ${x.satLatency ?? 'n/a'}`, (a, b) => ratio(b.satCpuPerDora, a.satCpuPerDora));
  if (labels.some((l) => s[l].satRounds.length > 0)) {
    row('saturation, alternating rounds: median ACK/s (min–max, n); ratio: median of the rounds\' ratios (min–max)',
      (x) => (x.satRounds.length === 0 ? 'n/a' : `${f(median(x.satRounds))} (${f(Math.min(...x.satRounds))}–${f(Math.max(...x.satRounds))}, ${x.satRounds.length})`),
      (a, b) => ratioRange(roundRatios(a, b)));
    row('the same rounds second by second: median ACKs in the first second; median ACK/s of the seconds after (ratio: the latter\'s, round by round)',
      (x) => `${f(median(x.satFirst.filter(Number.isFinite)))}; ${f(median(x.satSteady.filter(Number.isFinite)))}`,
      (a, b) => ratioRange(roundRatios(a, b, 'satSteady')));
  }
  row('host load (1 min) at those two steps', (x) => `${x.sustainedLoad ?? '-'} / ${x.satLoad ?? '-'}`);
}
