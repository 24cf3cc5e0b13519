// The reply's send chain in JS alone: send-reply (encode within option 57, route, the first attempt) -> the native
// transport -> its batched send queue, against an addon that makes no system call (each reply "sent" whole), so the
// figures are the JavaScript's: CPU and heap bytes per reply, with post (a callback per reply) and without it (the
// transport's post removed: send()'s promise chain), alternated in one process. The heap figure adds up growth
// between turns (GC-blind: a lower bound of what was allocated). Bounded: ROUNDS x 2 x REPLIES.
// usage: node --expose-gc --import tsx bench/send-chain.bench.ts [replies=200000] [rounds=3]
import { pino } from 'pino';
import { createNativeTransport } from '../src/net/native-transport.js';
import type { NativeBinding, UdpHandle } from '../src/net/native-binding.js';
import type { Decision } from '../src/server/decision.js';
import type { Transport } from '../src/net/types.js';
import { createReplySender } from '../src/server/send-reply.js';
import { Stats } from '../src/server/stats.js';
import { ManualClock } from '../src/clock.js';
import { AggregatedLog } from '../src/aggregated-log.js';
import { buildReply } from '../src/server/reply.js';
import { clientMessage } from '../test/helpers/test-client.js';
import { MessageType } from '../src/codec/types.js';

const count = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 3);
const handle = { __brand: 'dhcpd_net.udp' } as UdpHandle;
const binding: NativeBinding = {
  udpOpen: () => handle, udpOpenFlat: () => handle, udpSend: (_h: unknown, d: Buffer) => d.length, udpClose: () => 0,
  udpSendFlat: (_h: unknown, _slab: unknown, meta: Int32Array, n: number, results: Int32Array) => { for (let i = 0; i < n; i++) results[i] = meta[i * 6 + 1]!; return n; },
  packetOpen: () => -1, packetSend: () => -1, fdClose: () => 0,
};
const log = pino({ level: 'silent' });
const ETH = { name: 'eth0', index: 2, mac: '02:00:00:00:00:01', addresses: [{ address: '198.18.0.254', prefixLength: 16 }] };
const transport = createNativeTransport({ port: 67, interfaces: ['eth0'], logger: log, binding, discover: () => ({ found: [ETH], missing: [], localAddresses: ['198.18.0.254'] }) });
const clock = new ManualClock();
const stats = new Stats();
const replies = createReplySender({ transport: () => active, ports: () => PORTS, clock, log, stats, notices: new AggregatedLog({ clock, log }) });
const PORTS = { server: 67, client: 68 };
const withoutPost: Transport = { kind: 'native', inbound$: transport.inbound$, send: transport.send, interfaces: transport.interfaces, close: transport.close };
let active: Transport = transport;
const request = { ...clientMessage({ mac: '02:00:5e:10:00:81', giaddr: '198.18.0.1' }, MessageType.REQUEST), type: MessageType.REQUEST };
const message = buildReply(request, { type: MessageType.ACK, serverId: '198.18.0.254', yiaddr: '198.18.1.1', times: { lease: 600, renewal: 300, rebinding: 525 } });
const routed = { request, clientKey: 'hw:1:02:00:5e:10:00:81', inbound: { data: Buffer.alloc(300), from: { address: '198.18.0.1', port: 67 }, receivedAt: 0 } };
const decision: Decision = { kind: 'reply', type: MessageType.ACK, message, maxSize: 548 };

async function round(post: boolean): Promise<[number, number]> {
  active = post ? transport : withoutPost;
  (globalThis as { gc?: () => void }).gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const cpu = process.cpuUsage();
  let allocated = 0;
  let last = heap0;
  for (let sent = 0; sent < count; sent += 64) {
    for (let i = 0; i < 64; i++) replies.send(decision, routed);
    await new Promise<void>((r) => setImmediate(r));
    const now = process.memoryUsage().heapUsed;
    if (now > last) allocated += now - last;
    last = now;
  }
  const used = process.cpuUsage(cpu);
  return [(used.user + used.system) / count, allocated / count];
}
for (let r = 0; r < rounds; r++) {
  for (const post of [false, true]) {
    const [us, bytes] = await round(post);
    console.log(`${post ? 'post   ' : 'promise'}: ${us.toFixed(2)} us CPU per reply, ~${bytes.toFixed(0)} B heap growth per reply (GC-blind lower bound)`);
  }
}
console.log(JSON.stringify(stats.snapshot()['sent']));
