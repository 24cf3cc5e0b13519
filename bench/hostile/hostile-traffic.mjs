// Hostile-traffic generator: random and mutated DHCP packets (random chaddr, giaddr, ciaddr, options), from a fixed
// seed, at a bounded count and rate, with a liveness probe (a full DORA from a fresh MAC) every `probeEvery`
// packets. Plain JavaScript so `ip netns exec NS node` runs it without a build step. Prints one JSON summary line.
//   node hostile-traffic.mjs --count 100000 --rate 20000 --seed 1 --probe-every 10000 --server 198.51.100.1
//   --mode mixed|discover (discover: valid DISCOVERs from random MACs only, the starvation flood)
import dgram from 'node:dgram';
import { forbiddenLedger, packetSource } from './packets.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const COUNT = Math.min(Number(args.count ?? 100_000), 10_000_000);
const RATE = Math.min(Number(args.rate ?? 20_000), 200_000);
const SEED = Number(args.seed ?? 1);
const PROBE_EVERY = Number(args['probe-every'] ?? 10_000);
const MODE = args.mode ?? 'mixed';
const TO = args.to ?? '255.255.255.255';
const PROBE_TIMEOUT_MS = 3_000;
const MAX_SECONDS = Number(args['max-seconds'] ?? 600);

const { valid, hostile, discoverFlood } = packetSource(SEED);
const forbidden = forbiddenLedger();

const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
/** Every probe by xid: a slow answer still counts (within PROBE_TIMEOUT_MS), whatever probe started since. */
const probes = new Map();
sock.on('message', (msg) => {
  if (msg.length < 240 || msg[0] !== 2) return;
  const xid = msg.readUInt32BE(4);
  forbidden.answered(msg);
  const pending = probes.get(xid);
  if (pending === undefined) return;
  const type = msg.indexOf(Buffer.from([53, 1]), 240);
  const t = type < 0 ? 0 : msg[type + 2];
  if (t === 2 && pending.offerMs === undefined) {
    pending.offerMs = performance.now() - pending.at;
    const yiaddr = msg.subarray(16, 20);
    const serverId = msg.indexOf(Buffer.from([54, 4]), 240);
    sock.send(valid(3, { xid: pending.xid, chaddr: pending.chaddr, flags: 0x8000, requested: [...yiaddr], serverId: [...msg.subarray(serverId + 2, serverId + 6)] }), 67, TO);
  } else if (t === 5) {
    pending.ackMs = performance.now() - pending.at;
    pending.ip = [...msg.subarray(16, 20)].join('.');
  } else if (t === 6) {
    pending.nak = true;
  }
});
await new Promise((r) => sock.bind(68, '0.0.0.0', r));
sock.setBroadcast(true);
sock.setSendBufferSize(4 * 1024 * 1024);

function startProbe(n) {
  const chaddr = Buffer.from([0x02, 0x00, 0x5e, 0x77, (n >> 8) & 0xff, n & 0xff]);
  const probe = { n, xid: (0x7e000000 + n) >>> 0, chaddr, at: performance.now() };
  probes.set(probe.xid, probe);
  sock.send(valid(1, { xid: probe.xid, chaddr, flags: 0x8000 }), 67, TO);
}
const finish = (p) => ({ probe: p.n, offerMs: p.offerMs, ackMs: p.ackMs, ip: p.ip, nak: p.nak ?? false });

const started = performance.now();
let sent = 0;
let sendErrors = 0;
let probeNo = 0;
const perTick = Math.max(1, Math.round(RATE / 1000));
while (sent < COUNT && performance.now() - started < MAX_SECONDS * 1000) {
  const due = Math.min(COUNT, Math.floor(((performance.now() - started) / 1000) * RATE) + perTick);
  while (sent < due) {
    if (sent % PROBE_EVERY === 0) startProbe(probeNo++);
    const packet = MODE === 'discover' ? discoverFlood() : hostile();
    forbidden.sent(packet);
    sock.send(packet.data, 67, TO, (err) => { if (err) sendErrors++; });
    sent++;
  }
  await new Promise((r) => setTimeout(r, 1));
}
const floodSeconds = (performance.now() - started) / 1000;
// A last probe after the flood, then wait for the outstanding ones.
startProbe(probeNo++);
const deadline = performance.now() + PROBE_TIMEOUT_MS;
while (performance.now() < deadline && [...probes.values()].some((p) => p.ackMs === undefined)) await new Promise((r) => setTimeout(r, 10));
sock.close();
const done = [...probes.values()].map(finish);
const answered = done.filter((p) => p.offerMs !== undefined && p.offerMs < PROBE_TIMEOUT_MS);
process.stdout.write(`${JSON.stringify({
  mode: MODE, seed: SEED, sent, sendErrors, rate: Math.round(sent / floodSeconds), floodSeconds: Number(floodSeconds.toFixed(2)),
  ...forbidden.summary(),
  probes: done.length, probesAnswered: answered.length, probesBound: done.filter((p) => p.ackMs !== undefined).length,
  maxOfferMs: Math.max(...answered.map((p) => p.offerMs)), probeDetail: done,
})}\n`);
