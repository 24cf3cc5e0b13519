// A DHCP load client acting as a relay agent (RFC 1542): many simulated clients, each with its own MAC, talking to
// the server through giaddr, so one UDP socket in a test namespace can drive thousands of exchanges. It records
// every OFFER, ACK and NAK it receives as a JSON line on stdout, for test/integration/crash.test.ts.
//   argv[2]: the path of a file holding LoadgenArgs as JSON (lists of bindings outgrow an argument).   stdout: one JSON object per line (LoadEvent), then {"t":"done",...}.
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { decode, encode, getIpOption, messageTypeOf } from '../../../src/codec/index.js';
import { MessageType, type DhcpMessage } from '../../../src/codec/types.js';
import { clientMessage } from '../../helpers/test-client.js';

export interface Binding { readonly mac: string; readonly ip: string }

export interface LoadgenArgs {
  readonly mode: 'load' | 'verify';
  readonly server: string;
  readonly giaddr: string;
  /** load: new clients get MACs 02:<prefix>:<index as 4 bytes>, index from `first`, `count` of them. */
  readonly prefix?: number;
  readonly first?: number;
  readonly count?: number;
  /** load: clients acknowledged earlier, renewed (INIT-REBOOT) between new ones. */
  readonly renew?: readonly Binding[];
  /** load: every n-th new client DECLINEs its address and asks again. */
  readonly declineEvery?: number;
  /** verify: acknowledged bindings (INIT-REBOOT) and held offers (SELECTING) to check. */
  readonly acked?: readonly Binding[];
  readonly offered?: readonly Binding[];
  readonly concurrency: number;
  readonly durationMs: number;
  readonly maxOps: number;
  readonly timeoutMs: number;
  readonly tries: number;
}

export type LoadEvent =
  | { t: 'offer' | 'ack' | 'nak' | 'decline'; mac: string; ip: string; kind: string }
  | { t: 'verified'; mac: string; ip: string; got: string; kind: string }
  | { t: 'lost'; mac: string; ip: string; reason: string; kind: string }
  | { t: 'done'; ops: number; timeouts: number };

const args = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as LoadgenArgs;
const emit = (e: LoadEvent): void => void process.stdout.write(`${JSON.stringify(e)}\n`);
const socket = createSocket({ type: 'udp4', reuseAddr: true });
const waiting = new Map<number, (m: DhcpMessage) => void>();
let nextXid = (Math.random() * 0x7fffffff) >>> 0;
let timeouts = 0;

socket.on('message', (data) => {
  const decoded = decode(data);
  if (!decoded.ok) return;
  waiting.get(decoded.msg.xid)?.(decoded.msg);
});

/** Sends and waits for the reply with the same xid; undefined after timeoutMs. */
function ask(msg: DhcpMessage): Promise<DhcpMessage | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      waiting.delete(msg.xid);
      timeouts++;
      resolve(undefined);
    }, args.timeoutMs);
    waiting.set(msg.xid, (reply) => {
      clearTimeout(timer);
      waiting.delete(msg.xid);
      resolve(reply);
    });
    socket.send(encode(msg), 67, args.server);
  });
}

const spec = (mac: string) => ({ mac, giaddr: args.giaddr });
const xid = () => (nextXid = (nextXid + 1) >>> 0);

/** DISCOVER → OFFER → REQUEST (SELECTING) → ACK; retried from the DISCOVER up to `tries` times. */
async function acquire(mac: string): Promise<string | undefined> {
  for (let attempt = 0; attempt < args.tries; attempt++) {
    const offer = await ask(clientMessage(spec(mac), MessageType.DISCOVER, { xid: xid() }));
    if (offer === undefined || messageTypeOf(offer) !== MessageType.OFFER) continue;
    emit({ t: 'offer', mac, ip: offer.yiaddr, kind: 'select' });
    const answer = await select(mac, offer.yiaddr, getIpOption(offer, 54) ?? args.server);
    if (answer !== undefined) return answer;
  }
  return undefined;
}

async function select(mac: string, ip: string, serverId: string): Promise<string | undefined> {
  const reply = await ask(clientMessage(spec(mac), MessageType.REQUEST, { xid: xid(), requested: ip, serverId }));
  return record(mac, ip, reply, 'select');
}

/** INIT-REBOOT (RFC 2131 §4.3.2): option 50, no server id, ciaddr 0. */
async function reboot(mac: string, ip: string): Promise<DhcpMessage | undefined> {
  for (let attempt = 0; attempt < args.tries; attempt++) {
    const reply = await ask(clientMessage(spec(mac), MessageType.REQUEST, { xid: xid(), requested: ip }));
    if (reply !== undefined) return reply;
  }
  return undefined;
}

function record(mac: string, ip: string, reply: DhcpMessage | undefined, kind: string): string | undefined {
  if (reply === undefined) return undefined;
  const type = messageTypeOf(reply);
  if (type === MessageType.ACK) emit({ t: 'ack', mac, ip: reply.yiaddr, kind });
  if (type === MessageType.NAK) emit({ t: 'nak', mac, ip, kind });
  return type === MessageType.ACK ? reply.yiaddr : undefined;
}

function macOf(prefix: number, index: number): string {
  const bytes = [2, prefix, (index >>> 24) & 255, (index >>> 16) & 255, (index >>> 8) & 255, index & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

async function load(): Promise<number> {
  const deadline = Date.now() + args.durationMs;
  const bound = [...(args.renew ?? [])];
  let created = 0;
  let ops = 0;
  const worker = async (): Promise<void> => {
    while (Date.now() < deadline && ops < args.maxOps) {
      ops++;
      const renewTurn = bound.length > 0 && (created >= (args.count ?? 0) || Math.random() < 0.25);
      if (renewTurn) {
        const b = bound[Math.floor(Math.random() * bound.length)]!;
        record(b.mac, b.ip, await reboot(b.mac, b.ip), 'reboot');
        continue;
      }
      if (created >= (args.count ?? 0)) return;
      const index = (args.first ?? 0) + created++;
      const mac = macOf(args.prefix ?? 1, index);
      const ip = await acquire(mac);
      if (ip === undefined) continue;
      if (args.declineEvery !== undefined && index % args.declineEvery === 0) {
        // RFC 2131 §4.4.1: the address is in use; tell the server and start over.
        emit({ t: 'decline', mac, ip, kind: 'decline' });
        socket.send(encode(clientMessage(spec(mac), MessageType.DECLINE, { xid: xid(), requested: ip, serverId: args.server })), 67, args.server);
        await acquire(mac);
        continue;
      }
      bound.push({ mac, ip });
    }
  };
  await Promise.all(Array.from({ length: args.concurrency }, worker));
  return ops;
}

async function verify(): Promise<number> {
  const jobs: (() => Promise<void>)[] = [
    ...(args.acked ?? []).map((b) => async () => {
      const reply = await reboot(b.mac, b.ip);
      const type = reply === undefined ? undefined : messageTypeOf(reply);
      if (type === MessageType.ACK && reply!.yiaddr === b.ip) emit({ t: 'verified', mac: b.mac, ip: b.ip, got: reply!.yiaddr, kind: 'acked' });
      else emit({ t: 'lost', mac: b.mac, ip: b.ip, reason: reply === undefined ? 'no answer' : `${MessageType[type ?? 0]} ${reply.yiaddr}`, kind: 'acked' });
    }),
    // A held offer after a restart: either NAKed (offers are not stored) or, if its commit landed, ACKed.
    ...(args.offered ?? []).map((b) => async () => void record(b.mac, b.ip, await ask(clientMessage(spec(b.mac), MessageType.REQUEST,
      { xid: xid(), requested: b.ip, serverId: args.server })), 'held-offer')),
  ];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) await jobs[next++]!();
  };
  await Promise.all(Array.from({ length: args.concurrency }, worker));
  return jobs.length;
}

process.once('SIGTERM', () => {
  emit({ t: 'done', ops: -1, timeouts });
  process.exit(0);
});
socket.bind(67, () => {
  (args.mode === 'load' ? load() : verify()).then((ops) => {
    emit({ t: 'done', ops, timeouts });
    socket.close();
  }, (error: unknown) => {
    process.stderr.write(`loadgen failed: ${String(error)}\n`);
    process.exit(1);
  });
});
