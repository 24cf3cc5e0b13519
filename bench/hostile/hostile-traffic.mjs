// Hostile-traffic generator: random and mutated DHCP packets (random chaddr, giaddr, ciaddr, options), from a fixed
// seed, at a bounded count and rate, with a liveness probe (a full DORA from a fresh MAC) every `probeEvery`
// packets. Plain JavaScript so `ip netns exec NS node` runs it without a build step. Prints one JSON summary line.
//   node hostile-traffic.mjs --count 100000 --rate 20000 --seed 1 --probe-every 10000 --server 198.51.100.1
//   --mode mixed|discover (discover: valid DISCOVERs from random MACs only, the starvation flood)
import dgram from 'node:dgram';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const COUNT = Math.min(Number(args.count ?? 100_000), 10_000_000);
const RATE = Math.min(Number(args.rate ?? 20_000), 200_000);
const SEED = Number(args.seed ?? 1);
const PROBE_EVERY = Number(args['probe-every'] ?? 10_000);
const MODE = args.mode ?? 'mixed';
const TO = args.to ?? '255.255.255.255';
const PROBE_TIMEOUT_MS = 3_000;
const MAX_SECONDS = Number(args['max-seconds'] ?? 600);

// mulberry32: small, seedable, good enough for traffic.
let state = SEED >>> 0;
const rand = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (n) => Math.floor(rand() * n);
const bytes = (n) => Buffer.from(Array.from({ length: n }, () => int(256)));
const pick = (list) => list[int(list.length)];

/** A well-formed BOOTREQUEST of the given type, with random addresses and options. */
function valid(type, opts = {}) {
  const b = Buffer.alloc(240);
  b[0] = 1; b[1] = 1; b[2] = 6; b[3] = opts.hops ?? 0;
  b.writeUInt32BE(opts.xid ?? int(2 ** 32), 4);
  b.writeUInt16BE(opts.flags ?? 0, 10);
  (opts.ciaddr ?? Buffer.alloc(4)).copy(b, 12);
  (opts.giaddr ?? Buffer.alloc(4)).copy(b, 24);
  (opts.chaddr ?? Buffer.concat([Buffer.from([0x02]), bytes(5)])).copy(b, 28);
  b.writeUInt32BE(0x63825363, 236);
  const options = [Buffer.from([53, 1, type])];
  if (opts.requested) options.push(Buffer.from([50, 4, ...opts.requested]));
  if (opts.serverId) options.push(Buffer.from([54, 4, ...opts.serverId]));
  for (const extra of opts.extra ?? []) options.push(extra);
  options.push(Buffer.from([255]));
  return Buffer.concat([b, ...options]);
}

const randomAddress = () => bytes(4);
const randomOptions = () => Array.from({ length: int(6) }, () => {
  const code = 1 + int(253);
  const data = bytes(int(40));
  return Buffer.from([code === 53 ? 12 : code, data.length, ...data]);
});

/** One hostile packet; `silent` when the server must not answer it whatever its state. */
function hostile() {
  const kind = int(10);
  if (kind < 3) {
    // Valid shape, hostile content: random type, chaddr, giaddr (often unroutable), ciaddr, options.
    const type = pick([1, 3, 4, 7, 8]);
    const relayed = rand() < 0.5;
    return { data: valid(type, { giaddr: relayed ? randomAddress() : undefined, hops: relayed ? 1 : 0, ciaddr: rand() < 0.5 ? randomAddress() : undefined,
      requested: rand() < 0.5 ? randomAddress() : undefined, serverId: rand() < 0.3 ? randomAddress() : undefined, extra: randomOptions(), flags: rand() < 0.5 ? 0x8000 : 0 }), silent: false };
  }
  if (kind < 5) {
    // Mutated: a valid packet with random bytes flipped (may or may not still decode).
    const p = valid(pick([1, 3, 8]), { extra: randomOptions() });
    for (let i = 0, n = 1 + int(8); i < n; i++) p[int(p.length)] = int(256);
    const silent = p[0] !== 1 || p.readUInt32BE(236) !== 0x63825363 || p[2] > 16;
    return { data: p, silent };
  }
  if (kind < 6) return { data: valid(pick([2, 5, 6])), silent: true }; // server-only types from a "client"
  if (kind < 7) { const p = valid(1); p[0] = 2; return { data: p, silent: true }; } // BOOTREPLY on port 67
  if (kind < 8) return { data: bytes(int(240)), silent: true }; // too short
  if (kind < 9) { const p = valid(1); p.writeUInt32BE((int(2 ** 32) | 1) >>> 0, 236); return { data: p, silent: p.readUInt32BE(236) !== 0x63825363 }; }
  const p = valid(1);
  return { data: Buffer.concat([p.subarray(0, 240), Buffer.from([53, 1, 1, 12, 200, 1, 2])]), silent: true }; // option overrun
}

function discoverFlood() {
  return { data: valid(1, { chaddr: Buffer.concat([Buffer.from([0x02]), bytes(5)]) }), silent: false };
}

const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
const forbidden = new Set();
let forbiddenAnswered = 0;
/** Every probe by xid: a slow answer still counts (within PROBE_TIMEOUT_MS), whatever probe started since. */
const probes = new Map();
sock.on('message', (msg) => {
  if (msg.length < 240 || msg[0] !== 2) return;
  const xid = msg.readUInt32BE(4);
  if (forbidden.has(xid)) forbiddenAnswered++;
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
    const { data, silent } = MODE === 'discover' ? discoverFlood() : hostile();
    if (silent && data.length >= 8) forbidden.add(data.readUInt32BE(4));
    sock.send(data, 67, TO, (err) => { if (err) sendErrors++; });
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
  forbiddenSent: forbidden.size, forbiddenAnswered,
  probes: done.length, probesAnswered: answered.length, probesBound: done.filter((p) => p.ackMs !== undefined).length,
  maxOfferMs: Math.max(...answered.map((p) => p.offerMs)), probeDetail: done,
})}\n`);
