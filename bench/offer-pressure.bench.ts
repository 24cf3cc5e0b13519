// Liveness of the namespace lab's 100-address pool under a DISCOVER-only flood, in process on a simulated clock
// (docs/protocol.md "Offers yield under pressure"): DISCOVERs from random MACs at `rate` per simulated second and,
// every `every` of them, a liveness probe — a new MAC that sends one DISCOVER and, `rttMs` after its OFFER, one
// REQUEST, never retransmitting (as the hostile run's probes). The conflict check is on (its defaults, the probe
// cache included) with a prober that hears silence, so a probed offer goes out after the probe's timeout.
// The server here is never late (time stands still while it works): this measures what the offer rules answer, not
// whether a CPU keeps up; `cpuUsPerDiscover` says what that rate costs (1e6 / it = DISCOVERs/s one core serves).
//   npx tsx bench/offer-pressure.bench.ts [count=100000] [rate=2000] [every=10000] [rttMs=1]
// Prints one JSON line: flood DISCOVERs answered, drops by reason, offer events, probes offered and bound, the
// probes' OFFER latency (simulated ms: the conflict check's wait, if any) and the CPU per DISCOVER fed.
import { ManualClock } from '../src/clock.js';
import { MessageType } from '../src/codec/types.js';
import type { EchoProber, EchoResult } from '../src/net/icmp-prober.js';
import { openMemoryStore } from '../src/store/open.js';
import { clientMessage } from '../test/helpers/test-client.js';
import { LAB_CONFIG, SERVER_ID } from '../test/helpers/test-server.js';
import { startTestDaemon } from '../test/helpers/test-daemon.js';

const count = Number(process.argv[2] ?? 100_000);
const rate = Number(process.argv[3] ?? 2_000);
const every = Number(process.argv[4] ?? 10_000);
const rttMs = Number(process.argv[5] ?? 1);

const clock = new ManualClock();
/** Nobody answers the echo: each probe ends at its timeout on the simulated clock. */
const silence: EchoProber = {
  probe: (_ip: string, timeoutMs: number) => new Promise<EchoResult>((resolve) => clock.setTimer(timeoutMs, () => resolve({ kind: 'silent' }))),
  close: () => {},
};
const lab = LAB_CONFIG.subnets[0]!;
const wire = {
  ...LAB_CONFIG, conflictCheck: { enabled: true },
  subnets: [{ ...lab, pools: [{ start: '198.51.100.100', end: '198.51.100.199' }] }],
};
const d = startTestDaemon({ wire, clock, store: await openMemoryStore(), openProber: () => silence });
await d.app.ready;

let seed = 11;
const random = (): number => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0);
const mac = (n: number, first = 0x02): string => [first, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255, random() & 255]
  .map((b) => b.toString(16).padStart(2, '0')).join(':');

interface Probe { n: number; xid: number; mac: string; at: number; offerMs?: number; ip?: string; boundMs?: number; nak?: boolean }
const probes = new Map<number, Probe>();
const requests: { due: number; probe: Probe }[] = [];
let floodOffers = 0;
d.link.sent$.subscribe(({ message }) => {
  const probe = probes.get(message.xid);
  const type = message.options.find((o) => o.code === 53)?.data[0];
  if (probe === undefined) {
    if (type === MessageType.OFFER) floodOffers++;
    return;
  }
  if (type === MessageType.OFFER && probe.offerMs === undefined) {
    probe.offerMs = clock.now() - probe.at;
    probe.ip = message.yiaddr;
    requests.push({ due: clock.now() + rttMs, probe });
  } else if (type === MessageType.ACK) probe.boundMs = clock.now() - probe.at;
  else if (type === MessageType.NAK) probe.nak = true;
});

function startProbe(n: number): void {
  const probe: Probe = { n, xid: 0x7e000000 + n, mac: mac(n, 0x06), at: clock.now() };
  probes.set(probe.xid, probe);
  d.inject(clientMessage({ mac: probe.mac }, MessageType.DISCOVER, { xid: probe.xid }));
}

function sendDueRequests(): void {
  for (let i = requests.length - 1; i >= 0; i--) {
    const { due, probe } = requests[i]!;
    if (due > clock.now()) continue;
    requests.splice(i, 1);
    d.inject(clientMessage({ mac: probe.mac }, MessageType.REQUEST, { xid: probe.xid, requested: probe.ip!, serverId: SERVER_ID }));
  }
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
const step = 1_000 / rate;
const cpu = process.cpuUsage();
for (let i = 0; i < count; i++) {
  clock.advance(step);
  d.inject(clientMessage({ mac: mac(i) }, MessageType.DISCOVER, { xid: (random() & 0x3fffffff) + 1 }));
  sendDueRequests();
  // The event loop runs every 16 packets (a receive batch), and at once after a probe: its latency is then exact.
  if (i % every === 0) startProbe(probes.size);
  if (i % 16 === 15 || i % every === 0 || requests.length > 0) await turn();
}
const used = process.cpuUsage(cpu);
startProbe(probes.size); // a last one after the flood
for (let t = 0; t < 3_000 && [...probes.values()].some((p) => p.boundMs === undefined && p.nak !== true); t += 1) {
  clock.advance(1);
  sendDueRequests();
  await turn();
}
const all = [...probes.values()];
const offered = all.filter((p) => p.offerMs !== undefined);
const stats = d.app.statistics().counters;
const pick = (table: Readonly<Record<string, number>> | undefined, keys: string[]) => Object.fromEntries(keys.map((k) => [k, table?.[k] ?? 0]));
console.log(JSON.stringify({
  count, rate, every, rttMs,
  floodAnswered: floodOffers,
  drops: pick(stats.drops, ['offers-shielded', 'pool-exhausted', 'address-in-use']),
  events: pick(stats.events, ['offer.reclaimed', 'offer.unreserved', 'offer.unreserved.evicted', 'offer.won', 'conflict_check.cached']),
  probes: all.length, probesAnswered: offered.length, probesBound: all.filter((p) => p.boundMs !== undefined).length,
  probesNaked: all.filter((p) => p.nak === true).length,
  maxOfferMs: Math.max(0, ...offered.map((p) => p.offerMs!)),
  probeOfferMs: all.map((p) => p.offerMs ?? null),
  cpuUsPerDiscover: Math.round((used.user + used.system) / count),
}));
await d.app.stop();
process.exit(0);
