// Run by discover-lane.test.ts inside a network namespace of its own (unshare -n), with a veth link 198.51.100.1/24
// (broadcasts to 198.51.100.255 loop back to local sockets). A flat handle on the real addon, bound to the wildcard as
// the daemon's is, with or without a DISCOVER lane (argv[2]: its bytes, 0 for none), is sent DHCP messages by unicast
// and by broadcast, then, its event loop blocked, a burst of DISCOVERs with REQUESTs behind it, and one DISCOVER more once it is read. Prints as JSON what
// it received, in order, and the lane's counters.
import { createSocket } from 'node:dgram';
import { MessageType } from '../../../src/codec/types.js';
import { peekMessageType } from '../../../src/net/message-type.js';
import {
  loadNativeBinding, RX_DROPS_AT, RX_LANE_DROPS_AT, RX_LANE_RECEIVED_AT, RX_META_FIELDS, RX_META_LENGTH, RX_SLOT_SIZE, RX_SLOTS, type UdpHandle,
} from '../../../src/net/native-binding.js';

const ADDRESS = '198.51.100.1';
const BROADCAST = '198.51.100.255';
const PORT = 6767;
const laneBytes = Number(process.argv[2] ?? 0);
const binding = loadNativeBinding();
const slots = new Uint8Array(RX_SLOTS * RX_SLOT_SIZE);
const meta = new Int32Array(RX_META_LENGTH);
/** Each datagram received: its message type and the number it carries (bytes 4-7, the xid). */
const received: { type: number; xid: number }[] = [];
const handle = binding.udpOpenFlat!('', PORT, 64, slots, meta, (_errno, count) => {
  for (let i = 0, row = 0; i < count; i++, row += RX_META_FIELDS) {
    const offset = meta[row]!;
    const length = meta[row + 1]!;
    const xid = length >= 8 ? Buffer.from(slots.buffer, offset + 4, 4).readUInt32BE(0) : -1;
    received.push({ type: length >= 8 ? peekMessageType(slots, offset, length) : -1, xid });
  }
}, laneBytes) as UdpHandle;
if (typeof handle === 'number') throw new Error(`udpOpenFlat: ${handle}`);
const lane = binding.udpDiscoverLane!(handle);

/** A BOOTREQUEST with option 53 = `type` (first, or after option 61 when `late`), xid = `xid`. */
function message(type: number, xid: number, late = false): Buffer {
  const m = Buffer.alloc(300);
  m[0] = 1;
  m[1] = 1;
  m[2] = 6;
  m.writeUInt32BE(xid, 4);
  m.writeUInt32BE(0x63825363, 236);
  const options = late ? [61, 7, 1, 2, 0, 0, 0, 0, 1, 53, 1, type, 255] : [53, 1, type, 255];
  Buffer.from(options).copy(m, 240);
  return m;
}
const { DISCOVER, REQUEST } = MessageType;
const sender = createSocket('udp4');
await new Promise<void>((resolve) => sender.bind(0, () => resolve()));
sender.setBroadcast(true);
const send = (data: Buffer, to: string): Promise<void> => new Promise((resolve) => sender.send(data, PORT, to, () => resolve()));
const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// 1. Each kind once, unicast then broadcast: a DISCOVER, a REQUEST, a DISCOVER with option 53 after another option,
// and a datagram too short to be DHCP.
for (const to of [ADDRESS, BROADCAST]) {
  await send(message(DISCOVER, 1), to);
  await send(message(REQUEST, 2), to);
  await send(message(DISCOVER, 3, true), to);
  await send(Buffer.from('short'), to);
}
await settle(100);
const single = received.splice(0);
const laneAfterSingle = meta[RX_LANE_RECEIVED_AT]!;
// Each socket's copy of a broadcast that the other keeps is set aside by its reader, not dropped by the kernel.
const dropsAfterSingle = [meta[RX_DROPS_AT]!, meta[RX_LANE_DROPS_AT]!];

// 2. The loop blocked (udpSend is synchronous): 3,000 DISCOVERs, then 20 REQUESTs, then 500 DISCOVERs more.
binding.udpSetReceiveBuffer!(handle, 64 * 1024); // the main queue: room for ~100 such datagrams
const selfSend = (data: Buffer): number => binding.udpSend(handle, data, ADDRESS, PORT, 0, '');
for (let i = 0; i < 3000; i++) selfSend(message(DISCOVER, 100_000 + i));
for (let i = 0; i < 20; i++) selfSend(message(REQUEST, 200_000 + i));
for (let i = 0; i < 500; i++) selfSend(message(DISCOVER, 300_000 + i));
await settle(300);
selfSend(message(DISCOVER, 400_000)); // queued after the overflow: carries the lane's drop count
await settle(50);
const flood = received.splice(0);
sender.close();
binding.udpClose(handle);
process.stdout.write(JSON.stringify({
  lane,
  single,
  laneAfterSingle,
  dropsAfterSingle,
  flood: { requests: flood.filter((d) => d.type === REQUEST).map((d) => d.xid), firstDiscoverAt: flood.findIndex((d) => d.type === DISCOVER), discovers: flood.filter((d) => d.type === DISCOVER).length },
  laneReceived: meta[RX_LANE_RECEIVED_AT]! >>> 0,
  laneDrops: meta[RX_LANE_DROPS_AT]! >>> 0,
}));
