// Overload control at the socket. A deep receive queue absorbs bursts and GC pauses, and what waits in it is still
// answered in time (a client retransmits after seconds, RFC 2131 §4.1). Once it is full, though, the kernel drops
// at its tail whatever arrives — REQUESTs of offers already made as well as new DISCOVERs — while the server spends
// itself on the oldest requests. So for a short interval after the socket's full queue dropped a datagram, a
// DISCOVER that waited past the target is dropped unread, at the head: it has cost nothing yet and its client
// retransmits, while the REQUESTs behind it, which complete work already invested (an offer made, an address held),
// and the fresh requests get the server sooner. Something must be dropped then anyway; this chooses what. A queue that is not full sheds nothing, however long it is, and the interval is short so that a
// backlog the queue overflowed once (a cold start, a long pause) is still answered: shedding it all cost a loaded
// host's first step at 4,000 DORA/s 3,548 DISCOVERs for 297 the kernel dropped, when it kept going while it shed.
// With the DISCOVER lane (discover-lane.ts) the REQUESTs no longer wait behind DISCOVERs at all, and the drops read
// here are both queues': a DISCOVER that waited past the target while either overflowed is a stale one.
export interface OverflowSheddingOptions {
  readonly now: () => number;
  /** Longest wait (ms) a DISCOVER may have had while the queue overflows. */
  readonly targetMs?: number;
  /** How long (ms) after the kernel's last drop shedding goes on. */
  readonly intervalMs?: number;
}

// Under a sustained overload the REQUEST→ACK latency follows this target (the DISCOVERs served are those that waited
// up to it; their REQUESTs queue behind the next ones), but it must stay well above a receive batch's processing time
// and a GC pause: a DISCOVER read after one has waited that long already, and for the interval after an overflow every
// one would be shed, the REQUESTs dwindle and the server idles while the queue refills. perfdhcp relay at saturation on
// a loaded host (bench/stalls/trace.sh, RATE=100000, listen.overload in CONFIG), runs in the same period: 10 ms gave
// the lower REQUEST→ACK latency in five of six pairs against 100 but fewer ACKs/s in three (once 1,723 against 3,462);
// 30 ms was better in two of four pairs, worse in one, even in one: not shown to pay, so 100 stays.
export const DEFAULT_TARGET_MS = 100;
export const DEFAULT_INTERVAL_MS = 200;

export class OverflowShedding {
  private readonly targetUs: number;
  private readonly intervalMs: number;
  /** The sockets' drop counter as last seen (undefined before the first datagram). */
  private drops: number | undefined;
  /** When the queue last overflowed (the drop counter moved). */
  private overflowAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: OverflowSheddingOptions) {
    this.targetUs = (options.targetMs ?? DEFAULT_TARGET_MS) * 1000;
    this.intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  }

  /** Whether the queue overflowed within the interval. */
  get isOverflowing(): boolean {
    return this.options.now() - this.overflowAt < this.intervalMs;
  }

  /**
   * Whether a datagram that waited `waitedUs` in the socket's queue, when the socket had dropped `queueDrops`, is to
   * be dropped unread if it is a DISCOVER. Called for every datagram, in order (it also follows the drop counter).
   */
  sheddable(waitedUs: number, queueDrops: number): boolean {
    if (queueDrops !== this.drops) {
      if (this.drops !== undefined) this.overflowAt = this.options.now();
      this.drops = queueDrops;
    }
    return waitedUs > this.targetUs && this.isOverflowing;
  }
}
