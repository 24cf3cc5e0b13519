// Batched sends: the replies handed to the transport in one turn of the event loop (typically those one group
// commit released, or one receive batch's replays) leave in one sendmmsg call instead of one sendmsg each.
// Each message keeps its own result: the promise of a send resolves with its bytes or its -errno, whatever happened
// to the others of its batch, so the caller's error handling (fallbacks, retries) stays per message.
// A large release is paced: at most MAX_BURST replies (or a quarter of the queue, when more wait) leave per turn, the
// rest in the next turns, between the requests handled meanwhile. A group commit releases every ACK it held at once
// (hundreds when a commit waits long for the pinned core), and all of them reach the relay's socket within
// microseconds: a relay or client with the default 208 KiB receive queue holds ~160, and drops the rest when it is
// not scheduled at that moment (perfdhcp did: its kernel queue dropped a third of our replies at 6,000 DORA/s).
import { constants } from 'node:os';
import { parseIpv4 } from '../codec/index.js';
import { TX_META_FIELDS, type NativeBinding, type UdpHandle } from './native-binding.js';

/** Most messages queued before they are all sent at once without waiting for their turns (bounds the queue). */
const MAX_QUEUED_SENDS = 1024;
/** Replies per turn when few wait (one receive batch's worth); with more waiting, a quarter of them per turn. */
export const MAX_BURST = 64;
const BACKLOG_SHARE = 4;

export interface UdpMessage {
  readonly data: Buffer;
  readonly address: string;
  readonly port: number;
  readonly ifindex: number;
  /** "" = the kernel picks the source. */
  readonly source: string;
}

export interface PacketMessage {
  readonly datagram: Buffer;
  readonly ifindex: number;
  readonly mac: Buffer;
}

export interface SendBatchStats {
  /** sendmmsg calls made (one per flush of each socket) and the messages they carried. */
  readonly sendBatches: number;
  readonly batchedSends: number;
}

export interface BatchedSenders {
  /** Bytes sent or -errno (never rejects). */
  udp(message: UdpMessage): Promise<number>;
  /** udp() without a promise: `settle` gets the bytes sent or -errno, and the message, once, after this returns. */
  udpPost<M extends UdpMessage>(message: M, settle: Settle<M>): void;
  packet(message: PacketMessage): Promise<number>;
  /** Sends what is queued now (before the socket closes). */
  flush(): void;
  stats(): SendBatchStats;
}

/**
 * The transport's two sockets behind send queues when the addon has the batched calls; without them (an addon built
 * before), one system call per reply, as before.
 */
export function batchedSenders(binding: NativeBinding, udp: UdpHandle, packetFd: number, onThrow: (error: unknown) => void): BatchedSenders {
  const counters = { batches: 0, batchedMessages: 0 };
  const { udpSendFlat, udpSendMany, packetSendMany } = binding;
  const udpQueue = udpSendFlat !== undefined ? new FlatUdpSendQueue({ udpSendFlat }, udp, counters, onThrow)
    : udpSendMany !== undefined ? new UdpSendQueue({ udpSendMany }, udp, counters, onThrow) : undefined;
  const packetQueue = packetSendMany === undefined || packetFd < 0 ? undefined : new PacketSendQueue({ packetSendMany }, packetFd, counters, onThrow);
  const udpNow = (m: UdpMessage): Promise<number> => Promise.resolve(binding.udpSend(udp, m.data, m.address, m.port, m.ifindex, m.source));
  return {
    udp: (m) => udpQueue?.send(m) ?? udpNow(m),
    udpPost: (m, settle) => {
      if (udpQueue !== undefined) udpQueue.post(m, settle as Settle<UdpMessage>);
      else void udpNow(m).then((result) => settle(result, m));
    },
    packet: (m) => packetQueue?.send(m) ?? Promise.resolve(binding.packetSend(packetFd, m.datagram, m.ifindex, m.mac)),
    flush: () => {
      udpQueue?.flush();
      packetQueue?.flush();
    },
    stats: () => ({ sendBatches: counters.batches, batchedSends: counters.batchedMessages }),
  };
}

/** Called with a queued message's bytes sent or -errno, and the message. */
export type Settle<M> = (result: number, message: M) => void;

const { EINVAL, EMSGSIZE } = constants.errno;

/** Settles every message even when a settle throws (a bug of its caller's): the first error is thrown after. */
function settleAll<M>(settles: readonly Settle<M>[], messages: readonly M[], results: Int32Array): void {
  let failure: { error: unknown } | undefined;
  for (let i = 0; i < settles.length; i++) {
    try {
      settles[i]!(results[i]!, messages[i]!);
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure !== undefined) throw failure.error;
}

/**
 * Queues messages for one socket and sends them with one native call at the end of the current turn
 * (process.nextTick runs after the promise jobs of the turn, so replies resolved in a chain of promises still meet);
 * what is left past the turn's burst goes in the next turns (setImmediate: after the I/O of the next loop iteration).
 */
abstract class SendQueue<M> {
  protected readonly queued: M[] = [];
  private readonly settles: Settle<M>[] = [];
  private results = new Int32Array(64);
  private scheduled = false;
  private readonly turnNow = (): void => this.turn();

  constructor(
    private readonly counters: { batches: number; batchedMessages: number },
    /** A native call that threw (a malformed message: a bug); its batch failed with EINVAL. */
    private readonly onThrow: (error: unknown) => void,
  ) {}

  /** Resolves with the bytes sent or -errno; never rejects. */
  send(message: M): Promise<number> {
    return new Promise<number>((resolve) => this.post(message, resolve));
  }

  /** Queues `message`; `settle` gets its bytes sent or -errno, and the message, when it has been sent (never now). */
  post(message: M, settle: Settle<M>): void {
    this.queued.push(message);
    this.settles.push(settle);
    // At the bound the queue goes now; its settles still come after this returns.
    if (this.queued.length >= MAX_QUEUED_SENDS) this.sendFirst(this.queued.length, true);
    else if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.turnNow);
    }
  }

  /** Sends everything queued now (the bound, and before the socket closes). */
  flush(): void {
    this.sendFirst(this.queued.length);
  }

  /** One turn's share: a burst, then the rest from the next turn on. */
  private turn(): void {
    this.scheduled = false;
    try {
      this.sendFirst(Math.max(MAX_BURST, Math.ceil(this.queued.length / BACKLOG_SHARE)));
    } finally {
      // Even past a settle that threw: the rest of the queue still goes.
      if (this.queued.length > 0 && !this.scheduled) {
        this.scheduled = true;
        setImmediate(this.turnNow);
      }
    }
  }

  /**
   * Sends the first `wanted` queued messages (fewer when fewer wait) in one native call and settles them: now, or
   * on the next tick when `later` (inside post).
   */
  private sendFirst(wanted: number, later = false): void {
    const count = Math.min(wanted, this.queued.length);
    if (count === 0) return;
    if (this.results.length < count) this.results = new Int32Array(Math.max(count, this.results.length * 2));
    const results = this.results;
    try {
      this.sendAll(count, results);
    } catch (error) {
      // A programmer error (a malformed message): every message of the batch fails with EINVAL rather than hang.
      results.fill(-EINVAL, 0, count);
      this.onThrow(error);
    }
    const settles = this.settles.splice(0, count);
    const messages = this.queued.splice(0, count);
    this.counters.batches++;
    this.counters.batchedMessages += count;
    if (later) process.nextTick(settleAll, settles, messages, results.slice(0, count));
    else settleAll(settles, messages, results);
  }

  /** Sends queued[0, count) with one native call, each message's bytes or -errno into results. */
  protected abstract sendAll(count: number, results: Int32Array): void;
}

class UdpSendQueue extends SendQueue<UdpMessage> {
  private readonly datas: Buffer[] = [];
  private readonly addresses: string[] = [];
  private readonly sources: string[] = [];
  private numbers = new Int32Array(128);

  constructor(
    private readonly binding: Required<Pick<NativeBinding, 'udpSendMany'>>,
    private readonly handle: UdpHandle,
    counters: { batches: number; batchedMessages: number },
    onThrow: (error: unknown) => void,
  ) {
    super(counters, onThrow);
  }

  protected sendAll(count: number, results: Int32Array): void {
    if (this.numbers.length < 2 * count) this.numbers = new Int32Array(2 * Math.max(count, this.numbers.length));
    for (let i = 0; i < count; i++) {
      const m = this.queued[i]!;
      this.datas[i] = m.data;
      this.addresses[i] = m.address;
      this.sources[i] = m.source;
      this.numbers[2 * i] = m.port;
      this.numbers[2 * i + 1] = m.ifindex;
    }
    this.datas.length = this.addresses.length = this.sources.length = count;
    try {
      this.binding.udpSendMany(this.handle, this.datas, this.addresses, this.sources, this.numbers, results);
    } finally {
      this.datas.length = this.addresses.length = this.sources.length = 0; // no reply outlives its send here
    }
  }
}

/**
 * parseIpv4 of the address asked last, kept: a relay's replies all go to one address (the same string, from the
 * codec's table), from one server id, so nearly every reply's two addresses are a string compare, not two parses.
 */
class LastAddress {
  private text = '';
  private value = -1;

  parse(text: string): number {
    if (text !== this.text) {
      this.value = parseIpv4(text);
      this.text = text;
    }
    return this.value;
  }
}

/** Bytes of replies copied per native call at most (a batch with more goes in several); holds any UDP payload. */
const FLAT_SLAB_BYTES = 256 * 1024;
const MAX_UDP_PAYLOAD = 65_507;

/**
 * The UDP queue for an addon with udpSendFlat: each batch's replies are copied into one slab and described by rows
 * of an Int32Array (addresses as integers), so the addon reads no JS value per message; the replies' own buffers
 * are not held past the call.
 */
class FlatUdpSendQueue extends SendQueue<UdpMessage> {
  private readonly slab = Buffer.allocUnsafeSlow(FLAT_SLAB_BYTES);
  private readonly destinations = new LastAddress();
  private readonly sources = new LastAddress();
  private meta = new Int32Array(64 * TX_META_FIELDS);

  constructor(
    private readonly binding: Required<Pick<NativeBinding, 'udpSendFlat'>>,
    private readonly handle: UdpHandle,
    counters: { batches: number; batchedMessages: number },
    onThrow: (error: unknown) => void,
  ) {
    super(counters, onThrow);
  }

  protected sendAll(count: number, results: Int32Array): void {
    if (this.meta.length < count * TX_META_FIELDS) this.meta = new Int32Array(count * TX_META_FIELDS);
    const { slab, meta } = this;
    let first = 0;
    let used = 0;
    for (let i = 0; i < count; i++) {
      const m = this.queued[i]!;
      const length = m.data.length;
      if (used + length > slab.length) {
        this.call(first, i, results);
        first = i;
        used = 0;
      }
      const row = i * TX_META_FIELDS;
      const destination = this.destinations.parse(m.address);
      const source = m.source === '' ? 0 : this.sources.parse(m.source);
      if (destination < 0 || source < 0 || length > MAX_UDP_PAYLOAD) {
        // Not sendable (a bug upstream, or a reply too large for UDP): this one fails alone, the rest still go.
        results[i] = destination < 0 || source < 0 ? -EINVAL : -EMSGSIZE;
        meta[row + 1] = -1;
        continue;
      }
      slab.set(m.data, used);
      meta[row] = used;
      meta[row + 1] = length;
      meta[row + 2] = destination | 0;
      meta[row + 3] = m.port;
      meta[row + 4] = m.ifindex;
      meta[row + 5] = source | 0;
      used += length;
    }
    this.call(first, count, results);
  }

  /** Sends rows [from, to) (their bytes in the slab now). */
  private call(from: number, to: number, results: Int32Array): void {
    if (from === to) return;
    const whole = from === 0;
    const meta = whole ? this.meta : this.meta.subarray(from * TX_META_FIELDS);
    this.binding.udpSendFlat(this.handle, this.slab, meta, to - from, whole ? results : results.subarray(from));
  }
}

class PacketSendQueue extends SendQueue<PacketMessage> {
  private readonly datagrams: Buffer[] = [];
  private readonly macs: Buffer[] = [];
  private ifindexes = new Int32Array(64);

  constructor(
    private readonly binding: Required<Pick<NativeBinding, 'packetSendMany'>>,
    private readonly fd: number,
    counters: { batches: number; batchedMessages: number },
    onThrow: (error: unknown) => void,
  ) {
    super(counters, onThrow);
  }

  protected sendAll(count: number, results: Int32Array): void {
    if (this.ifindexes.length < count) this.ifindexes = new Int32Array(Math.max(count, this.ifindexes.length * 2));
    for (let i = 0; i < count; i++) {
      const m = this.queued[i]!;
      this.datagrams[i] = m.datagram;
      this.macs[i] = m.mac;
      this.ifindexes[i] = m.ifindex;
    }
    this.datagrams.length = this.macs.length = count;
    try {
      this.binding.packetSendMany(this.fd, this.datagrams, this.ifindexes, this.macs, results);
    } finally {
      this.datagrams.length = this.macs.length = 0;
    }
  }
}
