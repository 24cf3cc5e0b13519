// Routes each request to its client's transaction actor: one exchange at a time per client (per-client
// ordering), clients concurrently; a client's actor and queue go away when its exchange ends (no growth), and an
// exchange that waits for the client's next message is kept as a number, not a live actor (waiting-clients.ts).
import { CLIENT_QUIET_MS } from '../../machines/transaction.machine.js';
import { EVENT_BY_TYPE, Lane, WAITING, type LaneHost } from './lane.js';
import type { RouterOptions } from './options.js';
import { WaitingClients } from './waiting-clients.js';
import type { RoutedRequest } from '../../machines/transaction.types.js';

export class Router {
  /** Every queued request with its lane, oldest first (a Map keeps insertion order; re-setting a key keeps its place). */
  private readonly queued = new Map<RoutedRequest, Lane>();
  /** Clients with an exchange: deciding (a lane) or waiting for their next message (after an OFFER), without a lane. */
  private readonly clients = new WaitingClients<Lane>(CLIENT_QUIET_MS);
  private readonly host: LaneHost;
  private closing = false;

  constructor(private readonly options: RouterOptions) {
    this.host = {
      options,
      queued: (routed, lane) => this.queued.set(routed, lane),
      dequeued: (routed) => this.queued.delete(routed),
      ended: (lane, rest) => {
        if (this.clients.laneAt(lane.slot) === lane) this.clients.endLane(lane.slot);
        if (rest !== undefined) this.open(lane.clientKey, this.clients.slot(lane.clientKey), rest, false);
      },
      waiting: (lane) => {
        const now = this.options.now();
        if (this.clients.laneAt(lane.slot) !== lane) return this.clients.park(lane.clientKey, now);
        // Parked first: the slot then holds the wait when the lane leaves it.
        this.clients.parkAt(lane.slot, now);
        this.clients.endLane(lane.slot);
      },
    };
  }

  /** Clients with an exchange under way: deciding, or waiting for the client's next message. */
  get activeClients(): number {
    return this.clients.laneCount + this.clients.size(this.options.now());
  }

  /** Waiting exchanges dropped (oldest first) to make room for new clients before they expired. */
  get waitingEvicted(): number {
    return this.clients.evicted;
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
    for (const lane of this.clients.allLanes()) {
      const state = lane.state;
      if (state !== undefined) counts[state] = (counts[state] ?? 0) + 1;
    }
    const waiting = this.clients.size(this.options.now());
    if (waiting > 0) counts[WAITING] = (counts[WAITING] ?? 0) + waiting;
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
    const slot = this.clients.slot(routed.clientKey);
    const lane = this.clients.laneAt(slot);
    if (lane !== undefined) {
      lane.enqueue(routed);
      this.shedOverflow();
      return;
    }
    // A client whose exchange waited for it (after an OFFER) was counted all along: it takes no new room. The clock is
    // read only when an answer depends on it (a new client below maxClients needs none).
    const waited = this.clients.isWaitingAt(slot) && this.clients.takeAt(slot, this.options.now());
    if (!waited && !this.roomForNewClient()) {
      this.clients.releaseIfIdle(slot);
      this.options.onDrop('too-many-clients', routed);
      return;
    }
    this.open(routed.clientKey, slot, undefined, waited, routed);
  }

  /** Takes no new requests and waits (at most `timeoutMs`) until no transaction is deciding. */
  async quiesce(timeoutMs: number, wait: (ms: number) => Promise<void>): Promise<void> {
    this.closing = true;
    for (let waited = 0; waited < timeoutMs && [...this.clients.allLanes()].some((l) => l.busy); waited += 10) await wait(10);
  }

  /** Stops every transaction (shutdown). */
  stop(): void {
    for (const lane of this.clients.allLanes()) lane.close();
    this.clients.clear();
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

  /**
   * Below maxClients (lanes and waiting exchanges together) there is room; at it, the exchange that has waited
   * longest for its client makes room (its client's next message then starts an exchange of its own); only when
   * every exchange is deciding is a new client shed.
   */
  private roomForNewClient(): boolean {
    const max = this.options.maxClients;
    // Exchanges held, expired ones included, are never fewer than those still waiting: below max, there is room.
    if (this.clients.laneCount + this.clients.held < max) return true;
    const now = this.options.now();
    if (this.clients.laneCount + this.clients.size(now) < max) return true;
    if (!this.clients.evictOldest(now)) return false;
    this.options.onWaitingEvicted?.();
    return true;
  }

  /**
   * `slot`: the client's, when it has one (-1: a new one); `queue`: what the client's previous lane left (undefined:
   * a lane for `fresh` alone); `fresh`: the request not yet in the ledger.
   */
  private open(clientKey: string, slot: number, queue: RoutedRequest[] | undefined, waited: boolean, fresh?: RoutedRequest): void {
    const lane = new Lane(this.host, clientKey, queue, fresh);
    lane.slot = this.clients.setLane(clientKey, slot, lane);
    lane.begin(waited);
  }
}
