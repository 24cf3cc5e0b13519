// The native receive path alone: CPU per datagram of the UDP socket's receive (recvmmsg, and what reaches JS) with
// udpOpenFlat (one buffer and one Int32Array per batch) against udpOpen (one JS object per datagram), alternated in
// one process. A sender child blasts 300-byte datagrams over loopback in a network namespace of its own (unshare -n:
// nothing outside it is touched); the figure is the receiving process's CPU (user + system) per datagram received.
// Bounded: ROUNDS x COUNT datagrams. Root (unshare). usage: npx tsx bench/receive.bench.ts [count=200000] [rounds=3]
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FlatReceiver } from '../src/net/flat-receive.js';
import { loadNativeBinding, type UdpHandle } from '../src/net/native-binding.js';

const count = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 3);

if (process.env.RECEIVE_BENCH_INSIDE !== '1') {
  // Re-run inside a new network namespace with only its loopback up.
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync('unshare', ['-n', 'sh', '-c', `ip link set lo up && exec "${process.execPath}" --import tsx "${self}" ${count} ${rounds}`], {
    stdio: 'inherit', env: { ...process.env, RECEIVE_BENCH_INSIDE: '1' },
  });
  process.exit(r.status ?? 1);
}

const PORT = 6767;
const SENDER = `
const s = require('node:dgram').createSocket('udp4');
const data = Buffer.alloc(300, 1);
let left = Number(process.argv[1]);
function burst() {
  for (let i = 0; i < 32 && left > 0; i++, left--) s.send(data, ${PORT}, '127.0.0.1');
  if (left > 0) setImmediate(burst); else setTimeout(() => s.close(), 200);
}
burst();`;

const binding = loadNativeBinding();
if (binding.udpOpenFlat === undefined) throw new Error('addon without udpOpenFlat: npm run build:native');

async function round(mode: 'flat' | 'objects'): Promise<void> {
  let received = 0;
  const sink = (): void => void received++;
  const receiver = new FlatReceiver();
  const handle: UdpHandle | number = mode === 'flat'
    ? binding.udpOpenFlat!('127.0.0.1', PORT, 64, receiver.slots, receiver.meta, (_e, n) => receiver.deliver(n, sink))
    : binding.udpOpen('127.0.0.1', PORT, 64, (_e, batch) => { for (let i = 0; i < batch.length; i++) sink(); });
  if (typeof handle === 'number') throw new Error(`udpOpen: ${handle}`);
  const cpu = process.cpuUsage();
  const sender = spawn(process.execPath, ['-e', SENDER, String(count)], { stdio: 'inherit' });
  await new Promise((resolve) => sender.on('exit', resolve));
  await new Promise((resolve) => setTimeout(resolve, 300));
  const used = process.cpuUsage(cpu);
  binding.udpClose(handle);
  const per = (us: number) => (us / received).toFixed(2);
  console.log(`${mode.padEnd(7)} ${received} of ${count} datagrams received: ${per(used.user + used.system)} us CPU per datagram (user ${per(used.user)}, system ${per(used.system)}; includes ~0.2 s idle wait)`);
}

for (let r = 0; r < rounds; r++) {
  await round('objects');
  await round('flat');
}
