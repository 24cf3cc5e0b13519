// Routes each request to its client's transaction actor: one exchange at a time per client (per-client
// ordering), clients concurrently; a client's actor and queue go away when its exchange ends (no growth).
import { MessageType } from '../codec/types.js';
import type { MessageEvent, TransactionEvent } from '../../machines/transaction.machine.js';
import type { RoutedRequest } from './types.js';

/** The part of an XState actor the router uses (kept narrow so tests can count and crash actors). */
export interface TransactionActor {
  send(event: TransactionEvent): void;
  getSnapshot(): { value: unknown; status: string; context: { error?: unknown } };
  subscribe(observer: { next: () => void; error: (err: unknown) => void; complete: () => void }): unknown;
  start(): unknown;
  stop(): unknown;
}

export type RouterDropReason = 'duplicate' | 'queue-full' | 'too-many-clients' | 'transaction-failed' | 'shutting-down'
  | 'not-a-request';

export interface RouterOptions {
  readonly createTransaction: (clientKey: string) => TransactionActor;
  /** Requests waiting per client; the oldest goes first when full. */
  readonly maxQueuePerClient: number;
  /** Clients with an exchange under way; new clients are shed beyond it. */
  readonly maxClients: number;
  readonly onDrop: (reason: RouterDropReason, routed: RoutedRequest, error?: unknown) => void;
}

const EVENT_BY_TYPE: Partial<Record<MessageType, MessageEvent['type']>> = {
  [MessageType.DISCOVER]: 'dhcp.discover',
  [MessageType.REQUEST]: 'dhcp.request',
  [MessageType.RELEASE]: 'dhcp.release',
  [MessageType.DECLINE]: 'dhcp.decline',
  [MessageType.INFORM]: 'dhcp.inform',
};

/** States in which a transaction can take the client's next message. */
const READY = new Set(['idle', 'offered']);

export class Router {
  private readonly lanes = new Map<string, Lane>();
  private closing = false;

  constructor(private readonly options: RouterOptions) {}

  get activeClients(): number {
    return this.lanes.size;
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
  }

  private open(clientKey: string, queue: RoutedRequest[]): void {
    const lane = new Lane(this.options, queue, (rest) => {
      if (this.lanes.get(clientKey) === lane) this.lanes.delete(clientKey);
      if (rest.length > 0) this.open(clientKey, rest);
    });
    this.lanes.set(clientKey, lane);
    lane.begin(clientKey);
  }
}

class Lane {
  private actor: TransactionActor | undefined;
  private current: RoutedRequest | undefined;
  private ended = false;

  constructor(
    private readonly options: RouterOptions,
    private readonly queue: RoutedRequest[],
    private readonly onEnd: (rest: RoutedRequest[]) => void,
  ) {}

  begin(clientKey: string): void {
    const actor = this.options.createTransaction(clientKey);
    this.actor = actor;
    // The error observer is what keeps one crashing transaction from taking the daemon down (XState rethrows
    // unobserved actor errors); only this client's exchange is lost, and its retransmission starts a new one.
    actor.subscribe({
      next: () => this.pump(),
      error: (err) => this.fail(err),
      complete: () => this.end(),
    });
    actor.start();
    this.pump();
  }

  /** Deciding a request (possibly waiting for its durable write), as opposed to waiting for the client. */
  get busy(): boolean {
    const snapshot = this.actor?.getSnapshot();
    return !this.ended && snapshot !== undefined && snapshot.status === 'active' && !READY.has(snapshot.value as string);
  }

  enqueue(routed: RoutedRequest): void {
    const duplicate = this.queue.findIndex(
      (q) => q.request.xid === routed.request.xid && q.request.type === routed.request.type,
    );
    if (duplicate >= 0) {
      this.options.onDrop('duplicate', this.queue[duplicate]!);
      this.queue.splice(duplicate, 1);
    } else if (this.queue.length >= this.options.maxQueuePerClient) {
      this.options.onDrop('queue-full', this.queue.shift()!);
    }
    this.queue.push(routed);
    this.pump();
  }

  close(): void {
    this.ended = true;
    this.actor?.stop();
  }

  private pump(): void {
    const actor = this.actor;
    if (actor === undefined || this.ended) return;
    const snapshot = actor.getSnapshot();
    if (snapshot.status !== 'active' || !READY.has(snapshot.value as string)) return;
    const next = this.queue.shift();
    if (next === undefined) return;
    const type = EVENT_BY_TYPE[next.request.type];
    if (type === undefined) return this.pump();
    this.current = next;
    actor.send({ type, packet: next } as MessageEvent);
  }

  private fail(err: unknown): void {
    if (this.ended) return;
    if (this.current !== undefined) this.options.onDrop('transaction-failed', this.current, err);
    this.end();
  }

  private end(): void {
    if (this.ended) return;
    const snapshot = this.actor?.getSnapshot();
    if (snapshot?.value === 'failed' && this.current !== undefined) {
      this.options.onDrop('transaction-failed', this.current, snapshot.context.error);
    }
    this.ended = true;
    this.onEnd(this.queue.splice(0));
  }
}
