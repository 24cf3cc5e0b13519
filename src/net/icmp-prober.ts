// The ICMP echo prober of the conflict check (RFC 2131 §4.4.1): one ICMP socket of the native addon, any number of
// probes in flight matched to their replies by sequence number, each ended by its own timer on the injected clock.
import type { Clock, TimerHandle } from '../clock.js';
import { NetError } from '../errors.js';
import { errnoError } from './errno.js';
import { echoRequest, parseEchoReply } from './icmp-echo.js';
import { loadNativeBinding, type NativeBinding, type RawDatagram, type UdpHandle } from './native-binding.js';
import { neighbourMac } from './neighbours.js';

/** What one probe found: an echo reply (the address is in use), silence, or a failure to send. */
export type EchoResult =
  | { readonly kind: 'reply'; readonly from: string; readonly mac?: string }
  | { readonly kind: 'silent' }
  | { readonly kind: 'error'; readonly error: NetError };

export interface EchoProber {
  probe(ip: string, timeoutMs: number): Promise<EchoResult>;
  close(): void;
}

export interface IcmpProberOptions {
  readonly clock: Clock;
  /** Default: the addon loaded from build/Release. */
  readonly binding?: NativeBinding;
  /** Who answered, by MAC (default: the kernel's ARP table). */
  readonly macOf?: (ip: string) => Promise<string | undefined>;
}

interface Pending {
  readonly ip: string;
  readonly timer: TimerHandle;
  readonly settle: (result: EchoResult) => void;
}

const MAX_BATCH = 64;
const SEQUENCES = 0x10000;

/** Opens the ICMP socket; throws NetError DHCPD_ERR_NET_ICMP_UNAVAILABLE with the reason. */
export function openIcmpProber(options: IcmpProberOptions): EchoProber {
  let binding: NativeBinding;
  try {
    binding = options.binding ?? loadNativeBinding();
  } catch (error) {
    throw new NetError('DHCPD_ERR_NET_ICMP_UNAVAILABLE', `no ICMP socket: ${(error as Error).message}`, { cause: error });
  }
  if (typeof binding.icmpOpen !== 'function') {
    throw new NetError('DHCPD_ERR_NET_ICMP_UNAVAILABLE', 'native addon lacks icmpOpen (rebuild it: npm run build:native)');
  }
  const prober = new IcmpProber(binding, options);
  const handle = binding.icmpOpen(MAX_BATCH, (errno, batch) => prober.onBatch(errno, batch));
  if (typeof handle === 'number') throw errnoError('DHCPD_ERR_NET_ICMP_UNAVAILABLE', handle, 'opening the ICMP socket');
  prober.attach(handle);
  return prober;
}

class IcmpProber implements EchoProber {
  private handle: UdpHandle | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly id = Math.floor(Math.random() * 0x10000);
  private nextSeq = Math.floor(Math.random() * SEQUENCES);

  constructor(
    private readonly binding: NativeBinding,
    private readonly options: IcmpProberOptions,
  ) {}

  attach(handle: UdpHandle): void {
    this.handle = handle;
  }

  probe(ip: string, timeoutMs: number): Promise<EchoResult> {
    const handle = this.handle;
    if (handle === undefined) return Promise.resolve({ kind: 'error', error: new NetError('DHCPD_ERR_NET_SEND', 'ICMP socket closed') });
    const seq = this.freeSequence();
    if (seq === undefined) return Promise.resolve({ kind: 'error', error: new NetError('DHCPD_ERR_NET_SEND', 'every ICMP sequence number is in flight') });
    const sent = this.binding.udpSend(handle, echoRequest({ id: this.id, seq }), ip, 0, 0, '');
    if (sent < 0) return Promise.resolve({ kind: 'error', error: errnoError('DHCPD_ERR_NET_SEND', sent, `ICMP echo to ${ip}`, { ip }) });
    return new Promise((resolve) => {
      const timer = this.options.clock.setTimer(timeoutMs, () => this.settle(seq, { kind: 'silent' }));
      this.pending.set(seq, { ip, timer, settle: resolve });
    });
  }

  close(): void {
    for (const seq of [...this.pending.keys()]) this.settle(seq, { kind: 'silent' });
    if (this.handle !== undefined) this.binding.udpClose(this.handle);
    this.handle = undefined;
  }

  /** A receive error (errno < 0) leaves the probes in flight to their timers: silence means "offer", the safe side. */
  onBatch(_errno: number, batch: readonly RawDatagram[]): void {
    for (const datagram of batch) {
      const reply = parseEchoReply(datagram.data);
      if (reply === undefined || (!reply.kernelId && reply.id !== this.id)) continue;
      const pending = this.pending.get(reply.seq);
      if (pending === undefined || pending.ip !== datagram.address) continue;
      this.pending.delete(reply.seq);
      pending.timer.cancel();
      void this.answered(pending, datagram.address);
    }
  }

  private async answered(pending: Pending, from: string): Promise<void> {
    const mac = await (this.options.macOf ?? neighbourMac)(from).catch(() => undefined);
    pending.settle({ kind: 'reply', from, ...(mac !== undefined ? { mac } : {}) });
  }

  private settle(seq: number, result: EchoResult): void {
    const pending = this.pending.get(seq);
    if (pending === undefined) return;
    this.pending.delete(seq);
    pending.timer.cancel();
    pending.settle(result);
  }

  private freeSequence(): number | undefined {
    for (let tries = 0; tries < SEQUENCES; tries++) {
      const seq = this.nextSeq;
      this.nextSeq = (this.nextSeq + 1) % SEQUENCES;
      if (!this.pending.has(seq)) return seq;
    }
    return undefined;
  }
}
