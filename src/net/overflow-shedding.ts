// Overload control at the socket. A deep receive queue absorbs bursts and GC pauses, and what waits in it is still
// answered in time (a client retransmits after seconds, RFC 2131 §4.1). Once it is full, though, the kernel drops
// at its tail whatever arrives — REQUESTs of offers already made as well as new DISCOVERs — while the server spends
// itself on the oldest requests. So for a short interval after the socket's full queue dropped a datagram, a
// DISCOVER that waited past the target is dropped unread, at the head: it has cost nothing yet and its client
// retransmits, while the REQUESTs behind it, which complete work already invested (an offer made, an address held),
// and the fresh requests get the server sooner. Something must be dropped then anyway; this chooses what. A queue that is not full sheds nothing, however long it is, and the interval is short so that a
// backlog the queue overflowed once (a cold start, a long pause) is still answered: shedding it all cost a loaded
// host's first step at 4,000 DORA/s 3,548 DISCOVERs for 297 the kernel dropped, when it kept going while it shed.
export interface OverflowSheddingOptions {
  readonly now: () => number;
  /** Longest wait (ms) a DISCOVER may have had while the queue overflows. */
  readonly targetMs?: number;
  /** How long (ms) after the kernel's last drop shedding goes on. */
  readonly intervalMs?: number;
}

// 30 ms, not 100: under a sustained overload the REQUEST→ACK latency follows this target (the DISCOVERs served are
// those that waited up to it, their REQUESTs queue behind the next ones). perfdhcp relay at saturation on a loaded
// host (bench/stalls/trace.sh, RATE=100000, CONFIG with listen.overload), runs in the same period: REQUEST→ACK
// 799/421 ms at 30 against 1,677/1,764 at 100, and 4,324/3,703 ACKs/s against 3,462/2,915. 10 ms is too little: the
// queue, full, rarely holds a DISCOVER that fresh, so too few are served to keep the server busy (ACKs/s fell by up
// to half in three of eight pairs against 100, once to 1,723/s).
export const DEFAULT_TARGET_MS = 30;
export const DEFAULT_INTERVAL_MS = 200;

export class OverflowShedding {
  private readonly targetUs: number;
  private readonly intervalMs: number;
  /** The socket's drop counter as last seen (undefined before the first datagram). */
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
