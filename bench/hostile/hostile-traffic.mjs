// Hostile-traffic generator: random and mutated DHCP packets (random chaddr, giaddr, ciaddr, options), from a fixed
// seed, at a bounded count and rate, with a liveness probe (a full DORA from a fresh MAC) every `probeEvery`
// packets. Plain JavaScript so `ip netns exec NS node` runs it without a build step. Prints one JSON summary line.
//   node hostile-traffic.mjs --count 100000 --rate 20000 --seed 1 --probe-every 10000 --server 198.51.100.1
//   --mode mixed|discover (discover: valid DISCOVERs from random MACs only, the starvation flood)
//   --probe-ns NS: the probes come from probe-client.mjs in namespace NS (another host on the segment, with an
//   address), not from this busy process's socket
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PROBE_TIMEOUT_MS, livenessProbes } from './liveness.mjs';
import { forbiddenLedger, packetSource } from './packets.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const COUNT = Math.min(Number(args.count ?? 100_000), 10_000_000);
const RATE = Math.min(Number(args.rate ?? 20_000), 200_000);
const SEED = Number(args.seed ?? 1);
const PROBE_EVERY = Number(args['probe-every'] ?? 10_000);
const MODE = args.mode ?? 'mixed';
const TO = args.to ?? '255.255.255.255';
const MAX_SECONDS = Number(args['max-seconds'] ?? 600);

const { valid, hostile, discoverFlood } = packetSource(SEED);
const forbidden = forbiddenLedger();

const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
await new Promise((r) => sock.bind(68, '0.0.0.0', r));
sock.setBroadcast(true);
sock.setSendBufferSize(4 * 1024 * 1024);
// Every reply is read, or an answer the server must not give could be lost unseen (its count is printed as
// receiveDrops by the test, from the namespace's RcvbufErrors).
sock.setRecvBufferSize(4 * 1024 * 1024);
const prober = args['probe-ns'] === undefined ? localProber() : await remoteProber(args['probe-ns']);
sock.on('message', (msg) => {
  if (msg.length < 240 || msg[0] !== 2) return;
  forbidden.answered(msg);
  prober.reply(msg);
});

/** Probes on the generator's own socket: timed by a process busy sending the flood. */
function localProber() {
  return livenessProbes(valid, (bytes) => sock.send(bytes, 67, TO));
}

/** Probes from probe-client.mjs in namespace `ns`: the view of a legitimate host on the segment. */
async function remoteProber(ns) {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, fileURLToPath(new URL('./probe-client.mjs', import.meta.url)), '--to', TO], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  if ((await lines.next()).value !== 'ready') throw new Error(`probe client in ${ns} did not start`);
  return {
    start: (n) => child.stdin.write(`${n}\n`),
    reply: () => undefined,
    settled: () => undefined,
    async results() {
      child.stdin.end();
      const { value } = await lines.next();
      return JSON.parse(value);
    },
  };
}

const started = performance.now();
let sent = 0;
let sendErrors = 0;
let probeNo = 0;
const perTick = Math.max(1, Math.round(RATE / 1000));
while (sent < COUNT && performance.now() - started < MAX_SECONDS * 1000) {
  const due = Math.min(COUNT, Math.floor(((performance.now() - started) / 1000) * RATE) + perTick);
  while (sent < due) {
    if (sent % PROBE_EVERY === 0) prober.start(probeNo++);
    const packet = MODE === 'discover' ? discoverFlood() : hostile();
    forbidden.sent(packet);
    sock.send(packet.data, 67, TO, (err) => { if (err) sendErrors++; });
    sent++;
  }
  await new Promise((r) => setTimeout(r, 1));
}
const floodSeconds = (performance.now() - started) / 1000;
// A last probe after the flood, then wait for the outstanding ones.
prober.start(probeNo++);
await prober.settled();
const done = await prober.results();
sock.close();
const answered = done.filter((p) => p.offerMs !== undefined && p.offerMs < PROBE_TIMEOUT_MS);
process.stdout.write(`${JSON.stringify({
  mode: MODE, seed: SEED, sent, sendErrors, rate: Math.round(sent / floodSeconds), floodSeconds: Number(floodSeconds.toFixed(2)),
  ...forbidden.summary(),
  probes: done.length, probesAnswered: answered.length, probesBound: done.filter((p) => p.ackMs !== undefined).length,
  maxOfferMs: Math.max(...answered.map((p) => p.offerMs)), probeDetail: done,
})}\n`);
