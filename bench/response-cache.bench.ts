// The response cache's cost per DORA when nothing is a retransmission (the common case: every lookup misses): a
// DISCOVER and a REQUEST looked up, an OFFER and an ACK remembered, CLIENTS clients in turn (more than the cache
// holds, so it evicts as at saturation), MAX_ENTRIES entries (the tuner lowers it to 1,024 under load). CPU per DORA
// of the cache alone (the requests are reused buffers). Bounded: ROUNDS x N DORAs.
// usage: npx tsx bench/response-cache.bench.ts [n=400000] [maxEntries=16384] [clients=50000] [rounds=3]
import type { Clock } from '../src/clock.js';
import { MessageType } from '../src/codec/types.js';
import type { Outbound } from '../src/net/types.js';
import { ResponseCache } from '../src/server/response-cache.js';
import type { RoutedRequest } from '../machines/transaction.types.js';

const n = Number(process.argv[2] ?? 400_000);
const maxEntries = Number(process.argv[3] ?? 16_384);
const clients = Number(process.argv[4] ?? 50_000);
const rounds = Number(process.argv[5] ?? 3);

const keys = Array.from({ length: clients }, (_, i) => `hw:1:02:00:00:${(i >> 16) & 255}:${(i >> 8) & 255}:${i & 255}`);
let time = 1_700_000_000_000;
const clock: Clock = { now: () => time, setTimer: () => ({ cancel: () => undefined }) };
const cache = new ResponseCache(clock, () => ({ maxEntries, ttlMs: 10_000 }));
const requests = Array.from({ length: 256 }, (_, b) => Buffer.alloc(300, b));
const from = { address: '198.18.0.1', port: 67 };
const routed = (clientKey: string, type: MessageType, bytes: number): RoutedRequest =>
  ({ clientKey, request: { type }, inbound: { data: requests[bytes & 255]!, from, receivedAt: time } }) as unknown as RoutedRequest;
const reply: Outbound = { data: Buffer.alloc(320, 9), to: from, hwAddress: undefined, ifaceName: undefined, source: '198.18.0.254' };

function run(count: number): void {
  for (let i = 0; i < count; i++) {
    const key = keys[i % clients]!;
    time += 0.2;
    const discover = routed(key, MessageType.DISCOVER, i);
    if (cache.lookup(discover) === undefined) cache.remember(discover, reply, MessageType.OFFER);
    const request = routed(key, MessageType.REQUEST, i + 1);
    if (cache.lookup(request) === undefined) cache.remember(request, reply, MessageType.ACK);
  }
}

run(n); // warm-up
for (let r = 0; r < rounds; r++) {
  const cpu = process.cpuUsage();
  run(n);
  const used = process.cpuUsage(cpu);
  const { hits, entries } = cache.stats();
  console.log(`${n} DORAs, ${clients} clients, maxEntries ${maxEntries}: ${((used.user + used.system) / n).toFixed(2)} us CPU per DORA (hits ${hits}, entries ${entries})`);
}
