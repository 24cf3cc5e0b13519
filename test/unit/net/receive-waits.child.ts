// Run by receive-waits.test.ts inside a network namespace of its own (unshare -n): a flat handle on the real addon
// receives two datagrams, one read at once and one after it waited ~60 ms in the socket's queue; then, its queue made
// small, a burst it cannot hold. Prints the waits the addon reported (µs) and its drop count after each as JSON.
import { createSocket } from 'node:dgram';
import { loadNativeBinding, RX_DROPS_AT, RX_SLOT_SIZE, RX_SLOTS, RX_WAITS_AT, type UdpHandle } from '../../../src/net/native-binding.js';

const ADDRESS = '198.51.100.1';
const PORT = 6767;
const binding = loadNativeBinding();
const meta = new Int32Array(RX_DROPS_AT + 1);
const waits: number[] = [];
const drops: number[] = [];
const handle = binding.udpOpenFlat!(ADDRESS, PORT, 64, new Uint8Array(RX_SLOTS * RX_SLOT_SIZE), meta, (_errno, count) => {
  for (let i = 0; i < count; i++) waits.push(meta[RX_WAITS_AT + i]!);
  drops.push(meta[RX_DROPS_AT]!);
});
const sender = createSocket('udp4');
const send = (): Promise<void> => new Promise((resolve) => sender.send(Buffer.from('x'), PORT, ADDRESS, () => resolve()));
const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

await send();
await settle(50); // read as it arrives
await send();
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60); // the loop is blocked: the datagram waits queued
await settle(50);
binding.udpSetReceiveBuffer!(handle as UdpHandle, 4096); // a few datagrams' worth
const selfSend = (): number => binding.udpSend(handle as UdpHandle, Buffer.from('x'), ADDRESS, PORT, 0, '');
for (let i = 0; i < 200; i++) selfSend(); // synchronous: the loop cannot read in between
await settle(50);
selfSend(); // queued after the overflow: carries the drop count
await settle(50);
sender.close();
binding.udpClose(handle as UdpHandle);
process.stdout.write(JSON.stringify({ waits: waits.slice(0, 2), drops: [drops[0], drops[1], drops.at(-1)] }));
