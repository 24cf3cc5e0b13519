// Deterministic replay of a packet capture: the client packets go through the real daemon (codec, security
// stages, router, machines, lease book, the memory store) one at a time, on a simulated clock set to each
// packet's capture time. Every request, decision, reply and lease transition is one JSON line; the same capture
// and config always give the same bytes. With `compare`, our replies are lined up with the capture's.
import { Subject } from '../rx.js';
import { pino } from 'pino';
import { startApp } from '../app.js';
import { ManualClock } from '../clock.js';
import { decode, decodeRequest, ipToInt } from '../codec/index.js';
import { BOOTREPLY } from '../codec/types.js';
import type { ServerConfig } from '../config/types.js';
import type { Inbound, InterfaceInfo, Outbound, Transport } from '../net/types.js';
import { MemoryLeaseStore } from '../store/memory-store.js';
import type { CapturedDatagram } from './capture.js';
import { describeDecision, differences, summarize, typeName, xidText, type MessageSummary } from './describe.js';

export interface ReplayOptions {
  readonly config: ServerConfig;
  readonly datagrams: readonly CapturedDatagram[];
  readonly compare?: boolean;
  /** Receives each output line (without its newline). */
  readonly emit: (line: string) => void;
  /** Real milliseconds to wait for a packet's decision before reporting none (default 2000). */
  readonly decisionTimeoutMs?: number;
}

interface Exchange {
  readonly record: number;
  readonly xid: number;
  ours?: MessageSummary;
  theirs?: MessageSummary;
}

/** Replays the capture; resolves with the number of client packets fed. */
export async function replay(options: ReplayOptions): Promise<number> {
  const { config, datagrams, emit } = options;
  const requests = datagrams.filter((d) => d.payload[0] !== BOOTREPLY && (d.dstPort === 67 || d.dstPort === config.listen.port));
  const serverAddresses = [...new Set([...(config.serverId ? [config.serverId] : []),
    ...datagrams.filter((d) => d.payload[0] === BOOTREPLY).map((d) => d.src)])];
  const clock = new ManualClock(requests[0]?.at ?? 0);
  const line = (type: string, fields: Record<string, unknown>): void => emit(JSON.stringify({ type, at: clock.now(), ...fields }));
  const exchanges: Exchange[] = [];
  let current: { record: number; decided: () => void } | undefined;
  const link = new ReplayLink((out) => {
    const decoded = decode(out.data);
    if (!decoded.ok) return line('reply', { record: current?.record, error: decoded.error.code });
    const summary = summarize(decoded.msg);
    line('reply', { record: current?.record, to: `${out.to.address}:${out.to.port}`, ...summary });
    const exchange = exchanges.find((e) => e.record === current?.record);
    if (exchange !== undefined) exchange.ours ??= summary;
  });
  // Opened by the daemon's supervisor like any store; memory-level is missing only from a production install.
  const store = new MemoryLeaseStore({ now: () => clock.now() });
  const app = startApp({
    config, store, clock,
    log: pino({ level: 'silent' }),
    openTransport: async () => link,
    localAddresses: () => serverAddresses,
    onDecision: (decision, packet) => {
      line('decision', { record: current?.record, xid: xidText(packet.request.xid), client: packet.clientKey, ...describeDecision(decision) });
      current?.decided();
    },
  });
  const unsubscribe = app.onLeaseTransition((t) =>
    emit(JSON.stringify({ type: 'transition', ...t, ...(t.xid === undefined ? {} : { xid: xidText(t.xid) }) })));
  await app.ready;
  const iface = replayInterface(config, serverAddresses);
  try {
    for (const datagram of requests) {
      if (datagram.at > clock.now()) clock.advance(datagram.at - clock.now());
      const decoded = decodeRequest(datagram.payload);
      const base = { record: datagram.record, from: `${datagram.src}:${datagram.srcPort}`, to: `${datagram.dst}:${datagram.dstPort}` };
      if (!decoded.ok) {
        line('request', { ...base, error: decoded.error.code, reason: decoded.error.message });
        continue;
      }
      const request = decoded.msg;
      line('request', { ...base, xid: xidText(request.xid), message: typeName(request.type) });
      exchanges.push({ record: datagram.record, xid: request.xid });
      const decided = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), options.decisionTimeoutMs ?? 2000);
        current = { record: datagram.record, decided: () => (clearTimeout(timer), resolve(true)) };
      });
      link.inbound$.next(inboundOf(datagram, request.giaddr === '0.0.0.0' ? iface : undefined));
      if (!(await decided)) line('decision', { record: datagram.record, xid: xidText(request.xid), decision: 'none' });
      // The reply's send and the lease's write finish in the turns after the decision.
      await new Promise((resolve) => setImmediate(resolve));
      current = undefined;
    }
  } finally {
    unsubscribe();
    await app.stop();
  }
  if (options.compare === true) compareReplies(exchanges, datagrams, emit);
  return requests.length;
}

/** Pairs each request's reply with the first server reply of the same xid after it in the capture. */
function compareReplies(exchanges: readonly Exchange[], datagrams: readonly CapturedDatagram[], emit: (line: string) => void): void {
  const replies = datagrams.flatMap((d) => {
    if (d.payload[0] !== BOOTREPLY) return [];
    const decoded = decode(d.payload);
    return decoded.ok ? [{ record: d.record, msg: decoded.msg }] : [];
  });
  const used = new Set<number>();
  for (const exchange of exchanges) {
    const theirs = replies.find((r) => r.record > exchange.record && r.msg.xid === exchange.xid && !used.has(r.record));
    if (theirs !== undefined) used.add(theirs.record);
    const theirSummary = theirs === undefined ? undefined : summarize(theirs.msg);
    const diff = exchange.ours !== undefined && theirSummary !== undefined ? differences(exchange.ours, theirSummary) : undefined;
    emit(JSON.stringify({
      type: 'compare', record: exchange.record, xid: xidText(exchange.xid),
      ours: exchange.ours?.message ?? null, theirs: theirSummary?.message ?? null,
      ...(theirs === undefined ? {} : { theirRecord: theirs.record }),
      same: diff !== undefined ? diff.length === 0 : exchange.ours === theirSummary,
      ...(diff !== undefined && diff.length > 0 ? { differences: diff, oursDetail: exchange.ours, theirsDetail: theirSummary } : {}),
    }));
  }
}

function inboundOf(datagram: CapturedDatagram, iface: InterfaceInfo | undefined): Inbound {
  const broadcast = datagram.dst === '255.255.255.255';
  return {
    data: datagram.payload,
    from: { address: datagram.src, port: datagram.srcPort },
    ...(iface === undefined ? {} : { iface }),
    broadcast,
    ...(broadcast ? {} : { localAddress: datagram.dst }),
    receivedAt: datagram.at,
  };
}

/** The link directly attached clients arrive on: the config's first interface, with our addresses on it. */
function replayInterface(config: ServerConfig, serverAddresses: readonly string[]): InterfaceInfo | undefined {
  const name = config.interfaces[0] ?? config.subnets.find((s) => s.interfaces.length > 0)?.interfaces[0];
  if (name === undefined) return undefined;
  const addresses = serverAddresses.flatMap((address) => {
    const subnet = config.subnets.find((s) => ((ipToInt(address) & s.mask) >>> 0) === s.network);
    return subnet === undefined ? [] : [{ address, prefixLength: Number(subnet.cidr.split('/')[1]) }];
  });
  return { name, index: 1, mac: '02:00:00:00:00:01', addresses };
}

/** The daemon's transport in replay: packets come from the capture, replies go to the output. */
class ReplayLink implements Transport {
  readonly kind = 'memory' as const;
  readonly inbound$ = new Subject<Inbound>();

  constructor(private readonly onSend: (out: Outbound) => void) {}

  async send(out: Outbound): Promise<void> {
    this.onSend(out);
  }

  interfaces(): InterfaceInfo[] {
    return [];
  }

  async close(): Promise<void> {}
}
