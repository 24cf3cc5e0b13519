// Would moving the codec off the main thread pay? Compares, per packet, what the main thread spends decoding a
// request and encoding a reply itself with what it spends handing the datagram to a worker_thread and taking the
// result back (postMessage both ways, batches of B packets, buffers copied as a worker must get them). On a 2-core
// host with the load generator on the other core, a worker only pays if its hand-off costs the main thread less
// than the work it takes away. Bounded: N packets per case.
// usage: npx tsx bench/worker-offload.bench.ts [packets=200000] [batch=64]
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { decodeRequest, encode } from '../src/codec/index.js';

const packets = Number(process.argv[2] ?? 200_000);
const batch = Number(process.argv[3] ?? 64);
const hex = readFileSync(new URL('../test/fixtures/packets/dhcpcd-discover.hex', import.meta.url), 'utf8');
const datagram = Buffer.from(hex.split('\n').filter((l) => !l.startsWith('#')).join('').replace(/\s+/g, ''), 'hex');

type Message = Parameters<typeof encode>[0];
/** Structured cloning turns Buffers into plain Uint8Arrays: the main thread must wrap them again (part of the cost). */
const wrap = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
const asBuffers = (m: Message): Message => ({
  ...m, chaddr: wrap(m.chaddr), sname: wrap(m.sname), file: wrap(m.file),
  options: m.options.map((o) => ({ ...o, data: wrap(o.data) })),
});

function cpuUs(run: () => void | Promise<void>): Promise<number> {
  const start = process.cpuUsage();
  return Promise.resolve(run()).then(() => {
    const used = process.cpuUsage(start);
    return (used.user + used.system) / packets;
  });
}

// In-thread: decode the request, encode a reply of the same size.
const inline = await cpuUs(() => {
  for (let i = 0; i < packets; i++) {
    const decoded = decodeRequest(datagram);
    if (!decoded.ok) throw decoded.error;
    encode({ ...decoded.msg, op: 2 });
  }
});

// Offloaded decode: the worker (the built codec, dist/) decodes and posts the decoded requests back, as the main
// thread needs them to route and decide; the reply is encoded where it is decided.
const codecUrl = new URL('../dist/src/codec/index.js', import.meta.url).href;
const worker = new Worker(`
  const { parentPort } = require('node:worker_threads');
  import(${JSON.stringify(codecUrl)}).then(({ decodeRequest }) => {
    parentPort.on('message', (batch) => parentPort.postMessage(batch.map((d) => decodeRequest(Buffer.from(d)).msg)));
    parentPort.postMessage([]);
  });
`, { eval: true });
await new Promise((resolve) => worker.once('message', resolve));
const mainThreadOnly = process.cpuUsage();
const wall = performance.now();
await new Promise<void>((resolve) => {
  let done = 0;
  worker.on('message', (decoded: Message[]) => {
    for (const msg of decoded) encode({ ...asBuffers(msg), op: 2 });
    done += decoded.length;
    if (done >= packets) resolve();
  });
  for (let sent = 0; sent < packets; sent += batch) {
    worker.postMessage(Array.from({ length: Math.min(batch, packets - sent) }, () => datagram));
  }
});
const handOffUsage = process.cpuUsage(mainThreadOnly);
await worker.terminate();
// process.cpuUsage counts both threads: with no idle core (the load generator has the other one), that total is
// what decides.
const handOff = (handOffUsage.user + handOffUsage.system) / packets;
console.log(`codec in the main thread: ${inline.toFixed(2)} us per packet (decode request + encode reply)`);
console.log(`decode in a worker, posted back, encode in the main thread (batch ${batch}): ${handOff.toFixed(2)} us per packet, both threads ` +
  `(${((performance.now() - wall) / 1000).toFixed(2)} s wall)`);
console.log(handOff >= inline ? `offloading costs ${(handOff / inline).toFixed(1)}x the CPU of decoding in place` : 'offloading could pay');
