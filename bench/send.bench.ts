// The native send path alone: CPU per reply of the batched UDP sends (src/net/send-batch.ts) as the transport drives
// them — a promise per reply, BURST replies per turn (a group commit releasing its ACKs), one sendmmsg per turn —
// with udpSendFlat (one buffer and one Int32Array per batch) against udpSendMany (an array per field, a string per
// address), alternated in one process. The replies go out a veth pair in a network namespace of its own (unshare -n;
// to a permanent neighbour whose MAC the peer does not have, so the peer drops them on arrival): the kernel's whole
// UDP send path and veth's delivery, as on the benchmark's links, no receiving socket. Bounded: ROUNDS x COUNT replies. Root (unshare).
// usage: npx tsx bench/send.bench.ts [count=200000] [rounds=3] [burst=32]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadNativeBinding, type NativeBinding, type UdpHandle } from '../src/net/native-binding.js';
import { batchedSenders } from '../src/net/send-batch.js';

const count = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 3);
const burst = Number(process.argv[4] ?? 32);

if (process.env.SEND_BENCH_INSIDE !== '1') {
  // Re-run inside a new network namespace: a veth pair, an address and a permanent neighbour on one end.
  const self = fileURLToPath(import.meta.url);
  const setup = 'ip link set lo up && ip link add d0 type veth peer name d1 && ip addr add 198.18.9.1/24 dev d0'
    + ' && ip link set d0 up && ip link set d1 up && ip neigh add 198.18.9.2 lladdr 02:00:00:00:00:02 dev d0 nud permanent';
  const r = spawnSync('unshare', ['-n', 'sh', '-c', `${setup} && exec "${process.execPath}" --import tsx "${self}" ${count} ${rounds} ${burst}`], {
    stdio: 'inherit', env: { ...process.env, SEND_BENCH_INSIDE: '1' },
  });
  process.exit(r.status ?? 1);
}

const full = loadNativeBinding();
if (full.udpSendFlat === undefined || full.udpSendMany === undefined) throw new Error('addon without udpSendFlat: npm run build:native');
const { udpSendFlat: _flat, ...withoutFlat } = full;
const reply = Buffer.alloc(300, 1);

async function round(mode: 'flat' | 'many' | 'post'): Promise<void> {
  const binding: NativeBinding = mode === 'many' ? withoutFlat : full;
  const handle = binding.udpOpen('0.0.0.0', 6768, 64, () => undefined);
  if (typeof handle === 'number') throw new Error(`udpOpen: ${handle}`);
  const senders = batchedSenders(binding, handle as UdpHandle, -1, (error) => { throw error; });
  let failed = 0;
  const cpu = process.cpuUsage();
  // post: udpSendFlat driven as the reply path drives it now (a settle per reply, no promise), the turn awaited once.
  let settled = 0;
  let turnDone: (() => void) | undefined;
  const settle = (result: number): void => {
    if (result < 0) failed++;
    if (++settled === burst) turnDone?.();
  };
  for (let sent = 0; sent < count; sent += burst) {
    if (mode === 'post') {
      settled = 0;
      const turn = new Promise<void>((resolve) => (turnDone = resolve));
      for (let i = 0; i < burst; i++) senders.udpPost({ data: reply, address: '198.18.9.2', port: 67, ifindex: 0, source: '198.18.9.1' }, settle);
      await turn;
      continue;
    }
    const turn: Promise<number>[] = [];
    for (let i = 0; i < burst; i++) {
      turn.push(senders.udp({ data: reply, address: '198.18.9.2', port: 67, ifindex: 0, source: '198.18.9.1' }));
    }
    for (const result of await Promise.all(turn)) if (result < 0) failed++;
  }
  const used = process.cpuUsage(cpu);
  binding.udpClose(handle);
  const per = (us: number) => (us / count).toFixed(2);
  console.log(`${mode.padEnd(5)} ${count} replies in bursts of ${burst} (${failed} failed): ${per(used.user + used.system)} us CPU per reply (user ${per(used.user)}, system ${per(used.system)})`);
}

for (let r = 0; r < rounds; r++) {
  await round('many');
  await round('flat');
  await round('post');
}
