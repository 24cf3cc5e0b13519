// Routes each request to its client's transaction actor: one exchange at a time per client (per-client
// ordering), clients concurrently; a client's actor and queue go away when its exchange ends (no growth).
import { EVENT_BY_TYPE, Lane, type LaneHost } from './lane.js';
import type { RouterOptions } from './options.js';
import type { RoutedRequest } from '../../machines/transaction.types.js';

export class Router {
  private readonly lanes = new Map<string, Lane>();
  /** Every queued request with its lane, oldest first (a Map keeps insertion order; re-setting a key keeps its place). */
  private readonly queued = new Map<RoutedRequest, Lane>();
  private readonly host: LaneHost;
  private closing = false;

  constructor(private readonly options: RouterOptions) {
    this.host = {
      options,
      queued: (routed, lane) => this.queued.set(routed, lane),
      dequeued: (routed) => this.queued.delete(routed),
    };
  }

  get activeClients(): number {
    return this.lanes.size;
  }

  /** Requests waiting behind their clients' current exchanges. */
  get queuedRequests(): number {
    return this.queued.size;
  }

  /**
   * How many client exchanges are in each state of the transaction machine now (only states with at least one). The
   * router holds exactly the live exchanges, so counting its lanes needs no record of its own per transaction.
   */
  transactionStates(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const lane of this.lanes.values()) {
      const state = lane.state;
      if (state !== undefined) counts[state] = (counts[state] ?? 0) + 1;
    }
    return counts;
  }

  route(routed: RoutedRequest): void {
    if (this.closing) {
      this.options.onDrop('shutting-down', routed);
      return;
    }
    // An OFFER, ACK or NAK sent to the server: no transaction ever takes it, so its lane would never end.
    if (EVENT_BY_TYPE[routed.request.type] === undefined) {
      this.options.onDrop('not-a-request', routed);
      return;
    }
    const lane = this.lanes.get(routed.clientKey);
    if (lane !== undefined) {
      lane.enqueue(routed);
      this.shedOverflow();
      return;
    }
    if (this.lanes.size >= this.options.maxClients) {
      this.options.onDrop('too-many-clients', routed);
      return;
    }
    this.open(routed.clientKey, [routed]);
  }

  /** Takes no new requests and waits (at most `timeoutMs`) until no transaction is deciding. */
  async quiesce(timeoutMs: number, wait: (ms: number) => Promise<void>): Promise<void> {
    this.closing = true;
    for (let waited = 0; waited < timeoutMs && [...this.lanes.values()].some((l) => l.busy); waited += 10) await wait(10);
  }

  /** Stops every transaction (shutdown). */
  stop(): void {
    for (const lane of this.lanes.values()) lane.close();
    this.lanes.clear();
    this.queued.clear();
  }

  /** The oldest waiting request anywhere goes first: its client has most likely retransmitted it already. */
  private shedOverflow(): void {
    const max = this.options.maxQueued ?? Number.POSITIVE_INFINITY;
    while (this.queued.size > max) {
      const [oldest, lane] = this.queued.entries().next().value as [RoutedRequest, Lane];
      lane.evict(oldest);
      this.options.onDrop('overload', oldest);
    }
  }

  private open(clientKey: string, queue: RoutedRequest[]): void {
    const lane = new Lane(this.host, queue, (rest) => {
      if (this.lanes.get(clientKey) === lane) this.lanes.delete(clientKey);
      if (rest.length > 0) this.open(clientKey, rest);
    });
    this.lanes.set(clientKey, lane);
    lane.begin(clientKey);
  }
}
