// Overload control at the socket, in the manner of CoDel (RFC 8289): a queue that stands — every request handled in
// an interval had waited in the socket's queue longer than the target — means requests arrive faster than the
// server answers them, and the oldest would be answered late (a deep queue holds seconds of them: the kernel then
// drops at the tail whatever comes next, REQUESTs of offers already made included). While it stands, a DISCOVER that
// waited longer than the target is dropped unread: it has cost nothing yet, and its client retransmits
// (RFC 2131 §4.1), while the REQUESTs behind it, which complete work already invested (an offer made, an address
// held), reach the server sooner. A burst (a GC pause, a relay flushing) drains within an interval and sheds nothing.
export interface StandingQueueOptions {
  readonly now: () => number;
  /** Longest wait (ms) a DISCOVER may have had while the queue stands. */
  readonly targetMs?: number;
  /** How long every wait must exceed the target before the queue counts as standing (ms). */
  readonly intervalMs?: number;
}

export const DEFAULT_TARGET_MS = 100;
/** Long enough that a backlog which drains on its own — a cold start's first second, a long GC pause — sheds nothing:
 * only a sustained overload makes the queue stand. */
export const DEFAULT_INTERVAL_MS = 1000;

export class StandingQueue {
  private readonly targetUs: number;
  private readonly intervalMs: number;
  private windowStart: number;
  /** The shortest wait seen in the current interval, and whether it shed anything (the queue still stood). */
  private shortestUs = Number.POSITIVE_INFINITY;
  private shedInWindow = false;
  private standing = false;

  constructor(private readonly options: StandingQueueOptions) {
    this.targetUs = (options.targetMs ?? DEFAULT_TARGET_MS) * 1000;
    this.intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.windowStart = options.now();
  }

  /** Whether the queue stood over the last whole interval (read by tests and statistics). */
  get isStanding(): boolean {
    return this.standing;
  }

  /**
   * Whether a datagram that waited `waitedUs` in the socket's queue is to be dropped unread if it is a DISCOVER: the
   * queue stands and it waited past the target. Called for every datagram, in order (it also measures the waits).
   */
  sheddable(waitedUs: number): boolean {
    const now = this.options.now();
    if (now - this.windowStart >= this.intervalMs) {
      // Shedding drains the queue fast, so the interval's shortest wait falls under the target while it still
      // stands: an interval that shed keeps it standing until one passes with nothing to shed.
      this.standing = this.shortestUs > this.targetUs || this.shedInWindow;
      this.windowStart = now;
      this.shortestUs = Number.POSITIVE_INFINITY;
      this.shedInWindow = false;
    }
    if (waitedUs < this.shortestUs) this.shortestUs = waitedUs;
    return this.standing && waitedUs > this.targetUs;
  }

  /** A sheddable datagram was a DISCOVER, dropped. */
  shed(): void {
    this.shedInWindow = true;
  }
}
