// One client's lane: its transaction actor and the requests waiting behind the current exchange (bounded; a
// retransmission replaces its queued copy or is dropped while its original is being decided).
import type { MessageEvent } from '../../machines/transaction.machine.js';
import { MessageType } from '../codec/types.js';
import type { RouterOptions, TransactionActor } from './options.js';
import type { RoutedRequest } from '../../machines/transaction.types.js';

/** What a lane needs from its router: the options, the global ledger of queued requests, and its end. */
export interface LaneHost {
  readonly options: RouterOptions;
  queued(routed: RoutedRequest, lane: Lane): void;
  dequeued(routed: RoutedRequest): void;
  /** The lane's exchange ended; `rest` still waits (for a new lane of the same client), if anything does. */
  ended(lane: Lane, rest: RoutedRequest[] | undefined): void;
  /** The lane's exchange waits for the client's next message with nothing queued: the lane is let go. */
  waiting(lane: Lane): void;
}

export const EVENT_BY_TYPE: Partial<Record<MessageType, MessageEvent['type']>> = {
  [MessageType.DISCOVER]: 'dhcp.discover',
  [MessageType.REQUEST]: 'dhcp.request',
  [MessageType.RELEASE]: 'dhcp.release',
  [MessageType.DECLINE]: 'dhcp.decline',
  [MessageType.INFORM]: 'dhcp.inform',
};

/** The state in which it waits for that message after answering one (an OFFER out, the REQUEST to come). */
export const WAITING = 'awaitingRequest';
/** States in which a transaction can take the client's next message (two compares: asked several times per request). */
const isReady = (state: unknown): boolean => state === 'idle' || state === WAITING;

const sameMessage = (a: RoutedRequest, b: RoutedRequest): boolean =>
  a.request.xid === b.request.xid && a.request.type === b.request.type;

/** The queue of a lane with nothing waiting: shared and frozen, replaced by an array of its own before a push. */
const NOTHING_QUEUED: RoutedRequest[] = Object.freeze([]) as unknown as RoutedRequest[];

export class Lane {
  private actor: TransactionActor | undefined;
  private current: RoutedRequest | undefined;
  private queue: RoutedRequest[];
  /**
   * A new client's lane opens for one request, held here rather than in an array made for it: begin() hands it to the
   * transaction at once (always ready from the start), so nearly every lane never makes a queue.
   */
  private head: RoutedRequest | undefined;
  private ended = false;
  /** The lane's place in its router's client table (waiting-clients.ts), given when it opens. */
  slot = -1;

  /**
   * `queue`: requests left by the client's previous lane (all in the host's ledger), or undefined for a new lane
   * opened for `fresh` alone. `fresh`: the request not yet in the host's ledger (the one a new lane opens for), or
   * undefined when every queued one is there.
   */
  constructor(
    private readonly host: LaneHost,
    readonly clientKey: string,
    queue: RoutedRequest[] | undefined,
    private fresh?: RoutedRequest,
  ) {
    this.queue = queue ?? NOTHING_QUEUED;
    this.head = queue === undefined ? fresh : undefined;
  }

  /** Starts the client's transaction; `waited`: it resumes an exchange that was waiting for this client. */
  begin(waited: boolean): void {
    const actor = this.host.options.createTransaction(this.clientKey, waited);
    this.actor = actor;
    // The lane is its actor's observer (next, error, complete below: no closures per lane). The error observer is
    // what keeps one crashing transaction from taking the daemon down (XState rethrows unobserved actor errors);
    // only this client's exchange is lost, and its retransmission starts a new one.
    actor.subscribe(this);
    actor.start();
    this.pump();
    // Not taken (the transaction could not take it yet): it waits in a queue like any other.
    if (this.head !== undefined) {
      this.queue = [this.head];
      this.head = undefined;
    }
    this.fresh = undefined;
    // Only what still waits goes into the ledger (a request taken at once never does: two Map operations saved per
    // request). Requests left by the client's previous lane are there already and keep their place.
    // Indexed: a for-of over the shared frozen queue (nearly every lane's) made an iterator per lane.
    for (let i = 0; i < this.queue.length; i++) this.host.queued(this.queue[i]!, this);
  }

  /** Deciding a request (possibly waiting for its durable write), as opposed to waiting for the client. */
  get busy(): boolean {
    const snapshot = this.actor?.getSnapshot();
    return !this.ended && snapshot !== undefined && snapshot.status === 'active' && !isReady(snapshot.value);
  }

  /** The state of this client's exchange (for the /ui page's counts), undefined once it has ended. */
  get state(): string | undefined {
    const snapshot = this.actor?.getSnapshot();
    return this.ended || snapshot === undefined || snapshot.status !== 'active' ? undefined : String(snapshot.value);
  }

  enqueue(routed: RoutedRequest): void {
    const { onDrop, maxQueuePerClient } = this.host.options;
    // A retransmission of the request being decided (a slow commit): the answer under way serves both.
    if (this.busy && this.current !== undefined && sameMessage(this.current, routed)) {
      onDrop('duplicate', routed);
      return;
    }
    const duplicate = this.queue.findIndex((q) => sameMessage(q, routed));
    if (duplicate >= 0) {
      onDrop('duplicate', this.queue[duplicate]!);
      this.take(duplicate);
    } else if (this.queue.length >= maxQueuePerClient) {
      onDrop('queue-full', this.take(0)!);
    }
    if (this.queue === NOTHING_QUEUED) this.queue = [];
    this.queue.push(routed);
    this.fresh = routed;
    this.pump();
    this.fresh = undefined;
    // Still waiting (bounded by maxQueuePerClient): into the ledger, behind everything queued before it.
    if (this.queue.includes(routed)) this.host.queued(routed, this);
  }

  /** Removes a waiting request the router sheds. */
  evict(routed: RoutedRequest): void {
    const at = this.queue.indexOf(routed);
    if (at >= 0) this.take(at);
    else this.host.dequeued(routed);
  }

  close(): void {
    this.ended = true;
    this.actor?.stop();
  }

  private letGo(): void {
    this.ended = true;
    this.actor?.stop();
    this.host.waiting(this);
  }

  private take(at: number): RoutedRequest | undefined {
    if (at === 0 && this.head !== undefined) {
      // The new lane's request (begin): never in the ledger.
      const head = this.head;
      this.head = undefined;
      return head;
    }
    if (at >= this.queue.length) return undefined;
    // shift() for the usual first one: splice makes an array of what it removes.
    const taken = at === 0 ? this.queue.shift() : this.queue.splice(at, 1)[0];
    // A request taken before it went into the ledger is not looked for there (a Map probe per request saved).
    if (taken !== undefined && taken !== this.fresh) this.host.dequeued(taken);
    return taken;
  }

  private pump(): void {
    const actor = this.actor;
    if (actor === undefined || this.ended) return;
    const snapshot = actor.getSnapshot();
    if (snapshot.status !== 'active' || !isReady(snapshot.value)) return;
    const next = this.take(0);
    if (next === undefined) {
      // Waiting for the client (e.g. its REQUEST after an OFFER): the answered message is not held meanwhile, and
      // neither is the lane: the router keeps only that the client's exchange waits (waiting-clients.ts).
      this.current = undefined;
      if (snapshot.value === WAITING) this.letGo();
      return;
    }
    const type = EVENT_BY_TYPE[next.request.type];
    if (type === undefined) return this.pump();
    this.current = next;
    actor.send({ type, packet: next } as MessageEvent);
  }

  /** The actor's observer: it moved (maybe ready for the next request), failed, or finished. */
  next(): void {
    this.pump();
  }

  error(err: unknown): void {
    if (this.ended) return;
    if (this.current !== undefined) this.host.options.onDrop('transaction-failed', this.current, err);
    this.complete();
  }

  complete(): void {
    if (this.ended) return;
    const snapshot = this.actor?.getSnapshot();
    if (snapshot?.value === 'failed' && this.current !== undefined) {
      this.host.options.onDrop('transaction-failed', this.current, snapshot.context.error);
    }
    this.ended = true;
    // The rest stays in the ledger; the lane the router opens for it re-registers each (keeping its place). Nearly
    // always nothing waits: no empty array made for it.
    this.host.ended(this, this.queue.length === 0 ? undefined : this.queue.splice(0));
  }
}
