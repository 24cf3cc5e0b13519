// The interface-aware Linux transport (RFC 2131 §4.1, §4.3.1): reports the receiving interface and broadcast-ness of
// every datagram, replies out the link a request came in on, and unicasts to a client's MAC before it has an address.
import { constants } from 'node:os';
import { Subject } from '../rx.js';
import { NetError, sendErrorCode } from '../errors.js';
import { isBroadcastOn, LIMITED_BROADCAST, parseMac, sourceFacing } from './addressing.js';
import { errnoError, errnoName, LINK_ERRNOS } from './errno.js';
import type { Discovery } from './interfaces.js';
import { LinkTable, type NetLogger } from './link-table.js';
import { FlatReceiver, type DatagramAdmission, type DatagramSink } from './flat-receive.js';
import { peekMessageType } from './message-type.js';
import { OverflowShedding } from './overflow-shedding.js';
import { loadNativeBinding, RX_DROPS_AT, RX_LANE_DROPS_AT, RX_LANE_RECEIVED_AT, type NativeBinding, type UdpHandle } from './native-binding.js';
import { reportDiscoverLane } from './discover-lane.js';
import { buildUdpIpv4 } from './packet.js';
import { batchedSenders, type UdpMessage } from './send-batch.js';
import type { Endpoint, Inbound, InterfaceInfo, Outbound, SendDone, Transport } from './types.js';
import { applyReceiveBuffer } from './receive-buffer.js';

export interface NativeTransportOptions {
  readonly port: number;
  /** Names of the interfaces to serve directly; broadcasts arriving on any other are dropped and counted. */
  readonly interfaces: readonly string[];
  /**
   * Datagrams unicast to one of our addresses but arriving on an interface not listed — relayed requests over a
   * transit link, typically. 'accept' (default) delivers them without `iface` (subnet selection then uses giaddr);
   * 'drop' treats them like broadcasts from unlisted interfaces.
   */
  readonly unlistedUnicast?: 'accept' | 'drop';
  readonly logger: NetLogger;
  /** Bind address; default 0.0.0.0 (a broadcast to 255.255.255.255 only reaches a socket bound to the wildcard). */
  readonly address?: string;
  /** Default 5000 ms: picks up addresses added and links recreated even when no send fails. */
  readonly refreshIntervalMs?: number;
  /** Datagrams delivered per socket wakeup at most (then back to the event loop). Default 64. */
  readonly maxBatch?: number;
  /** The socket's receive queue in bytes (listen.receiveBufferKiB); without it, the addon's 4 MiB. */
  readonly receiveBufferBytes?: number;
  /** The DISCOVER lane's queue in bytes (listen.discoverQueueKiB, discover-lane.ts); 0 or unset: none. */
  readonly discoverQueueBytes?: number;
  /** Overload control (listen.overload): without it, overflow-shedding.ts's defaults. */
  readonly overload?: { readonly discoverWaitMs: number; readonly overflowWindowMs: number };
  /** Test seams: the addon, the interface reader and the clock. */
  readonly binding?: NativeBinding;
  readonly discover?: (names: readonly string[]) => Discovery;
  readonly now?: () => number;
}

export interface NativeTransportStats {
  readonly received: number;
  readonly ignoredInterface: number;
  /** Unicasts to us delivered from interfaces not listed (relayed traffic). */
  readonly unlistedUnicast: number;
  readonly receiveErrors: number;
  /** Datagrams larger than the receive slots (8 KiB), dropped: no DHCP message is that large. */
  readonly truncated: number;
  /** DISCOVERs dropped unread because they waited too long while the socket's queue overflowed (overflow-shedding.ts). */
  readonly shedStale: number;
  /** Datagrams the kernel dropped because the socket's receive queue was full (as of the last datagram read). */
  readonly receiveQueueDrops: number;
  /** Whether DISCOVERs have a queue of their own (discover-lane.ts); then what they got and lost there. */
  readonly discoverLane: boolean;
  readonly discoverLaneReceived: number;
  /** DISCOVERs the kernel dropped because the lane's queue was full (as of the last datagram read from it). */
  readonly discoverLaneDrops: number;
  readonly sent: number;
  readonly sentToMac: number;
  readonly macFallbacks: number;
  /** Replies sent without the requested source address, which the kernel refused (not, or no longer, ours). */
  readonly sourceFallbacks: number;
  readonly sendErrors: number;
  /** sendmmsg calls (UDP and packet socket) and the replies they carried: replies per system call = the ratio. */
  readonly sendBatches: number;
  readonly batchedSends: number;
  readonly refreshes: number;
}

export interface NativeTransport extends Transport {
  readonly kind: 'native';
  stats(): NativeTransportStats;
  /** Re-reads the listed interfaces now (also done every refreshIntervalMs and after link errors). */
  refreshInterfaces(): readonly InterfaceInfo[];
}

/** A posted reply on its way: the batch's message, with what its settle needs (one object per reply, no closure). */
interface PostedUdp<T> extends UdpMessage {
  readonly out: Outbound;
  readonly iface: InterfaceInfo | undefined;
  readonly done: SendDone<T>;
  readonly token: T;
}

// The kernel's counts (queue drops, the lane's datagrams) are read from the addon, not counters of ours.
type KernelCounts = 'receiveQueueDrops' | 'discoverLane' | 'discoverLaneReceived' | 'discoverLaneDrops';
type Counters = { -readonly [K in Exclude<keyof NativeTransportStats, KernelCounts>]: NativeTransportStats[K] };

/** Ignored datagrams are logged at info once per foreign interface, then at most once per this many ms. */
const IGNORED_LOG_GAP_MS = 60_000;
/** DISCOVERs shed by overload control are told at most once per this many ms, with the count since the last line. */
const SHED_LOG_GAP_MS = 10_000;
const DISCOVER = 1;
const { ENOSYS } = constants.errno;
/** sendmsg refuses an IP_PKTINFO source that is not a local address with these. */
const SOURCE_ERRNOS: ReadonlySet<string> = new Set(['EINVAL', 'EADDRNOTAVAIL']);

/** Opens the socket (synchronously); throws NetError DHCPD_ERR_NET_BIND or DHCPD_ERR_NET_NATIVE_UNAVAILABLE. */
export function createNativeTransport(opts: NativeTransportOptions): NativeTransport {
  const binding = opts.binding ?? loadNativeBinding();
  const log = opts.logger;
  const now = opts.now ?? Date.now;
  const links = new LinkTable(opts.interfaces, log, opts.discover, now);
  const inbound = new Subject<Inbound>();
  const n: Counters = { received: 0, ignoredInterface: 0, unlistedUnicast: 0, receiveErrors: 0, truncated: 0, shedStale: 0, sent: 0, sentToMac: 0, macFallbacks: 0, sourceFallbacks: 0, sendErrors: 0, sendBatches: 0, batchedSends: 0, refreshes: 0 };
  const bindAddress = opts.address ?? '0.0.0.0';
  links.refresh('start');

  const acceptUnlistedUnicast = (opts.unlistedUnicast ?? 'accept') === 'accept';

  const ignoredLogged = new Map<number, number>();

  /** Counted always; told at info so an operator sees clients on a link not served, without a log storm. */
  function ignore(ifindex: number, address: string, localAddress: string): void {
    n.ignoredInterface++;
    const last = ignoredLogged.get(ifindex);
    const loud = last === undefined || now() - last >= IGNORED_LOG_GAP_MS;
    if (loud) ignoredLogged.set(ifindex, now());
    const line = { evt: 'net.ignored_interface', ifindex, from: address, to: localAddress, ignored: n.ignoredInterface };
    if (loud) log.info(line, 'datagram from an interface not served: ignored');
    else log.debug(line, 'datagram from an interface not served');
  }

  /**
   * Where datagrams come from, the one made last given again for the same address and port (a relay's requests, or
   * broadcasts from 0.0.0.0:68, come from one): an Inbound's `from` is only read, and it lives as long as its exchange.
   */
  let lastFrom: Endpoint = { address: '0.0.0.0', port: 68 };
  const fromEndpoint = (address: string, port: number): Endpoint => {
    if (lastFrom.address !== address || lastFrom.port !== port) lastFrom = { address, port };
    return lastFrom;
  };

  const deliver: DatagramSink = (data, address, port, ifindex, localAddress) => {
    let iface = links.index(ifindex);
    if (iface !== undefined && iface.addresses.length === 0) {
      // Learnt while the link was down (no addresses then): it is up again, so look now rather than at the next tick.
      links.refreshSoon(`datagram on ${iface.name}, which had no addresses`);
      iface = links.index(ifindex) ?? iface;
    }
    if (iface === undefined && acceptUnlistedUnicast && links.isLocal(localAddress)) {
      n.received++;
      n.unlistedUnicast++;
      inbound.next({ data, from: fromEndpoint(address, port), broadcast: false, localAddress, receivedAt: now() });
      return;
    }
    if (iface === undefined) {
      ignore(ifindex, address, localAddress);
      // A listed interface that was deleted and recreated comes back with a new index: look again (rate-limited).
      links.refreshSoon('datagram on an unknown interface');
      return;
    }
    n.received++;
    const broadcast = isBroadcastOn(localAddress, iface);
    inbound.next({ data, from: fromEndpoint(address, port), iface, broadcast, localAddress, receivedAt: now() });
  };

  /** The receive errno that came with a batch: counted and logged, the batch's datagrams are still delivered. */
  function received(errno: number): void {
    if (errno !== 0 && errnoName(errno) === 'EMSGSIZE') {
      n.truncated++;
      log.debug({ evt: 'net.truncated', truncated: n.truncated }, 'oversized datagram dropped');
    } else if (errno !== 0) {
      n.receiveErrors++;
      log.warn({ evt: 'net.receive_failed', err: errnoError('DHCPD_ERR_NET_RECEIVE', errno, 'recvmsg') }, 'receive failed');
      if (LINK_ERRNOS.has(errnoName(errno))) links.refreshSoon(`receive ${errnoName(errno)}`);
    }
  }

  const shedding = new OverflowShedding({
    now, ...(opts.overload !== undefined ? { targetMs: opts.overload.discoverWaitMs, intervalMs: opts.overload.overflowWindowMs } : {}),
  });
  let shedLogged: number | undefined;
  let shedAtLog = 0;
  /** Overload control before anything is spent on a datagram: counted always, told at most every SHED_LOG_GAP_MS. */
  const admit: DatagramAdmission = (slots, offset, length, waitedUs, queueDrops) => {
    if (!shedding.sheddable(waitedUs, queueDrops) || peekMessageType(slots, offset, length) !== DISCOVER) return true;
    n.shedStale++;
    if (shedLogged === undefined || now() - shedLogged >= SHED_LOG_GAP_MS) {
      log.warn({ evt: 'net.shed_stale', shed: n.shedStale - shedAtLog, shedTotal: n.shedStale, waitedMs: Math.round(waitedUs / 1000) },
        'overloaded: DISCOVERs that waited too long in the receive queue dropped unread');
      shedLogged = now();
      shedAtLog = n.shedStale;
    }
    return false;
  };

  /** Called straight from the libuv loop: nothing may escape from here. */
  function guarded(receive: () => void): void {
    try {
      receive();
    } catch (error) {
      n.receiveErrors++;
      log.error({ evt: 'net.receive_failed', err: error }, 'inbound datagram handling threw');
    }
  }

  const laneBytes = opts.discoverQueueBytes ?? 0;
  const opened = openUdp(binding, bindAddress === '0.0.0.0' ? '' : bindAddress, opts.port, opts.maxBatch ?? 64, laneBytes, received, deliver, admit, guarded);
  if (typeof opened.handle === 'number') {
    throw errnoError('DHCPD_ERR_NET_BIND', opened.handle, `bind ${bindAddress}:${opts.port}`, { address: bindAddress, port: opts.port });
  }
  const udp: UdpHandle = opened.handle;
  // An addon built before the lane has no udpDiscoverLane: reported as the system call it lacks.
  const laneStatus = laneBytes === 0 ? 0 : binding.udpDiscoverLane?.(udp) ?? -ENOSYS;
  reportDiscoverLane(laneBytes, laneStatus, log);
  const kernelCounts = (): Pick<NativeTransportStats, KernelCounts> => ({
    receiveQueueDrops: (opened.meta?.[RX_DROPS_AT] ?? 0) >>> 0,
    discoverLane: laneStatus > 0,
    discoverLaneReceived: (opened.meta?.[RX_LANE_RECEIVED_AT] ?? 0) >>> 0,
    discoverLaneDrops: (opened.meta?.[RX_LANE_DROPS_AT] ?? 0) >>> 0,
  });
  const { udpSetReceiveBuffer } = binding;
  if (opts.receiveBufferBytes !== undefined && udpSetReceiveBuffer !== undefined) {
    applyReceiveBuffer(opts.receiveBufferBytes, (bytes) => udpSetReceiveBuffer(udp, bytes), log);
  }
  const packetFd = binding.packetOpen();
  if (packetFd < 0) {
    log.warn({ evt: 'net.packet_unavailable', errno: errnoName(packetFd) }, 'no packet socket: replies to clients without an address will be broadcast');
  }
  const senders = batchedSenders(binding, udp, packetFd, (error) =>
    log.error({ evt: 'net.send_batch_failed', err: error }, 'a batched send threw: its replies failed'));
  const timer = setInterval(() => links.refresh('periodic'), opts.refreshIntervalMs ?? 5_000);
  timer.unref();
  let closed = false;

  /** Not an async function: a reply sent costs the batch's promise and one reaction, no frame of its own. */
  function sendUdp(out: Outbound, iface: InterfaceInfo | undefined): Promise<void> {
    return senders.udp({ data: out.data, address: out.to.address, port: out.to.port, ifindex: iface?.index ?? 0, source: out.source ?? '' })
      .then((sent) => {
        if (sent >= 0) n.sent++;
        else udpRefused(out, iface, sent);
      });
  }

  /** A reply the kernel refused: sent again without its source when that was the reason, else a typed error thrown. */
  function udpRefused(out: Outbound, iface: InterfaceInfo | undefined, refused: number): void {
    let sent = refused;
    if (out.source !== undefined && SOURCE_ERRNOS.has(errnoName(sent))) {
      // A configured server id that is not (or no longer) one of our addresses: let the kernel pick the source.
      n.sourceFallbacks++;
      log.warn({ evt: 'net.source_fallback', source: out.source, errno: errnoName(sent), iface: iface?.name }, 'source address refused; sending from the interface address');
      sent = binding.udpSend(udp, out.data, out.to.address, out.to.port, iface?.index ?? 0, '');
    }
    if (sent >= 0) {
      n.sent++;
      return;
    }
    n.sendErrors++;
    if (LINK_ERRNOS.has(errnoName(sent))) links.refreshSoon(`send ${errnoName(sent)}`);
    throw errnoError(sendErrorCode(errnoName(sent)), sent, 'sendmsg', { to: out.to, iface: iface?.name });
  }

  /** RFC 2131 §4.1 unicast to chaddr/yiaddr through the packet socket; returns why it could not, or undefined. */
  async function sendToMac(out: Outbound, hwAddress: string, iface: InterfaceInfo | undefined): Promise<string | undefined> {
    if (packetFd < 0) return `no packet socket (${errnoName(packetFd)})`;
    if (iface === undefined) return 'no served interface faces the destination';
    const mac = parseMac(hwAddress);
    if (mac === undefined) return 'not an Ethernet address';
    // The same source the kernel would allow on the UDP path: a local address, else the interface's own.
    const source = out.source !== undefined && links.isLocal(out.source) ? out.source : sourceFacing(iface, out.to.address);
    if (source === undefined) return `no IPv4 address on ${iface.name}`;
    let datagram: Buffer;
    try {
      datagram = buildUdpIpv4({ source, destination: out.to.address, sourcePort: opts.port, destinationPort: out.to.port, payload: out.data });
    } catch (error) {
      return String(error);
    }
    const sent = await senders.packet({ datagram, ifindex: iface.index, mac });
    if (sent >= 0) return undefined;
    if (LINK_ERRNOS.has(errnoName(sent))) links.refreshSoon(`packet send ${errnoName(sent)}`);
    return `packet send ${errnoName(sent)}`;
  }

  /**
   * send() without a promise on the UDP path (most replies): the message queued carries what its settle needs, and
   * `done` is called from the batch's settle. Every other case (a MAC to reach, an interface not found, closed) goes
   * through send() and its promise: rare.
   */
  function post<T>(out: Outbound, done: SendDone<T>, token: T): void {
    const iface = out.ifaceName === undefined ? undefined : links.named(out.ifaceName);
    if (closed || (out.ifaceName !== undefined && iface === undefined)
      || (out.hwAddress !== undefined && !isBroadcastOn(out.to.address, iface ?? links.facing(out.to.address)))) {
      send(out).then(() => done(token, true, undefined), (error: unknown) => done(token, false, error));
      return;
    }
    const message: PostedUdp<T> = {
      data: out.data, address: out.to.address, port: out.to.port, ifindex: iface?.index ?? 0, source: out.source ?? '',
      out, iface, done, token,
    };
    senders.udpPost(message, udpPosted);
  }

  function udpPosted<T>(sent: number, message: PostedUdp<T>): void {
    if (sent >= 0) {
      n.sent++;
      message.done(message.token, true, undefined);
      return;
    }
    let error: unknown;
    try {
      udpRefused(message.out, message.iface, sent);
    } catch (refused) {
      error = refused;
    }
    message.done(message.token, error === undefined, error);
  }

  /** Not an async function on the UDP path (most replies): its promise is sendUdp's, not one wrapping it. Never
   * throws: a failure is its promise's rejection, as an async function's would be. */
  function send(out: Outbound): Promise<void> {
    try {
      return route(out);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  function route(out: Outbound): Promise<void> {
    if (closed) return Promise.reject(new NetError('DHCPD_ERR_NET_SEND', 'transport closed', { details: { to: out.to } }));
    let iface: InterfaceInfo | undefined;
    if (out.ifaceName !== undefined) {
      iface = links.named(out.ifaceName);
      if (iface === undefined) {
        n.sendErrors++;
        return Promise.reject(new NetError('DHCPD_ERR_NET_INTERFACE', `interface ${out.ifaceName} is not served or not present`, { details: { iface: out.ifaceName } }));
      }
    }
    if (out.hwAddress === undefined || isBroadcastOn(out.to.address, iface ?? links.facing(out.to.address))) {
      return sendUdp(out, iface);
    }
    return sendToMacOrBroadcast(out, out.hwAddress, iface);
  }

  async function sendToMacOrBroadcast(out: Outbound, hwAddress: string, iface: InterfaceInfo | undefined): Promise<void> {
    const why = await sendToMac(out, hwAddress, iface ?? links.facing(out.to.address));
    if (why === undefined) {
      n.sent++;
      n.sentToMac++;
      return;
    }
    // RFC 2131 §4.1: "If unicasting is not possible, the message MAY be sent as an IP broadcast".
    n.macFallbacks++;
    log.warn({ evt: 'net.unicast_fallback', reason: why, to: out.to, hwAddress: out.hwAddress, iface: iface?.name }, 'unicast to MAC failed; broadcasting');
    return sendUdp({ ...out, to: { address: LIMITED_BROADCAST, port: out.to.port } }, iface ?? links.facing(out.to.address));
  }

  return {
    kind: 'native',
    inbound$: inbound.asObservable(),
    send,
    post,
    interfaces: () => links.list(),
    refreshInterfaces: () => links.refresh('requested'),
    stats: () => ({ ...n, ...kernelCounts(), ...senders.stats(), refreshes: links.refreshes }),
    receiveLoad: () => {
      const counts = kernelCounts();
      return { received: n.received, lost: counts.receiveQueueDrops + counts.discoverLaneDrops + n.shedStale };
    },
    close: async () => {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      senders.flush(); // replies queued in this turn still leave
      binding.udpClose(udp);
      if (packetFd >= 0) binding.fdClose(packetFd);
      inbound.complete();
    },
  };
}

/**
 * The UDP socket, received through udpOpenFlat (no JS object per datagram in the addon) or, with an addon built
 * before it, udpOpen's array of datagram objects.
 */
function openUdp(
  binding: NativeBinding, address: string, port: number, maxBatch: number, discoverQueueBytes: number,
  received: (errno: number) => void, deliver: DatagramSink, admit: DatagramAdmission, guarded: (receive: () => void) => void,
): { readonly handle: UdpHandle | number; readonly meta?: Int32Array } {
  if (binding.udpOpenFlat === undefined) {
    return {
      handle: binding.udpOpen(address, port, maxBatch, (errno, batch) => guarded(() => {
        received(errno);
        for (const d of batch) deliver(d.data, d.address, d.port, d.ifindex, d.localAddress);
      })),
    };
  }
  const receiver = new FlatReceiver();
  const handle = binding.udpOpenFlat(address, port, maxBatch, receiver.slots, receiver.meta, (errno, count) => guarded(() => {
    received(errno);
    receiver.deliver(count, deliver, admit);
  }), discoverQueueBytes);
  return { handle, meta: receiver.meta };
}
