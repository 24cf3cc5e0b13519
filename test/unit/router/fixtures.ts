// Test doubles for the router: routed requests without a codec, and a transaction actor the test steers by hand.
import { MessageType, type DhcpRequest } from '../../../src/codec/types.js';
import type { MessageEvent, TransactionEvent } from '../../../machines/transaction.machine.js';
import type { RoutedRequest } from '../../../machines/transaction.types.js';
import type { RouterDropReason, TransactionActor } from '../../../src/router/options.js';

export function routed(clientKey: string, type: MessageType, xid: number): RoutedRequest {
  const request: DhcpRequest = {
    op: 1, htype: 1, hlen: 6, hops: 0, xid, secs: 0, flags: 0,
    ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', giaddr: '0.0.0.0',
    chaddr: Buffer.alloc(16), sname: Buffer.alloc(64), file: Buffer.alloc(128), options: [], type,
  };
  return {
    request,
    inbound: { data: Buffer.alloc(0), from: { address: '198.51.100.77', port: 68 }, receivedAt: 0 },
    clientKey,
  };
}

type Observer = Parameters<TransactionActor['subscribe']>[0];

/** Mimics an XState actor's observable contract: `next` on each change, then `complete` when final. */
export class FakeTransaction implements TransactionActor {
  value = 'idle';
  status = 'active';
  error: unknown;
  started = false;
  stopped = false;
  readonly received: TransactionEvent[] = [];
  private readonly observers: Observer[] = [];

  /** `waiting`: resumed by the router in awaitingRequest, as PassiveTransaction does. */
  constructor(readonly clientKey: string, readonly waiting = false) {
    if (waiting) this.value = 'awaitingRequest';
  }

  send(event: TransactionEvent): void {
    if (this.status !== 'active') return;
    this.received.push(event);
    this.become(event.type === 'dhcp.discover' ? 'offering' : 'deciding');
  }

  getSnapshot() {
    return { value: this.value, status: this.status, context: { error: this.error } };
  }

  subscribe(observer: Observer): void {
    this.observers.push(observer);
  }

  start(): void {
    this.started = true;
  }

  stop(): void {
    this.stopped = true;
    this.status = 'stopped';
  }

  /** Moves to a state; final ones ('done', 'timedOut', 'failed') complete the actor. */
  become(value: string, error?: unknown): void {
    this.value = value;
    if (error !== undefined) this.error = error;
    const final = value === 'done' || value === 'timedOut' || value === 'failed';
    if (final) this.status = 'done';
    for (const o of [...this.observers]) o.next();
    if (final) for (const o of [...this.observers]) o.complete();
  }

  /** An unhandled error inside the actor (XState: status 'error', then the error observer). */
  crash(err: unknown): void {
    this.status = 'error';
    for (const o of [...this.observers]) o.error(err);
  }

  /** What this actor was asked to handle: "discover:1" for a DISCOVER with xid 1. */
  get log(): string[] {
    return this.received.map((e) => `${e.type.slice(5)}:${(e as MessageEvent).packet.request.xid}`);
  }
}

export interface Drop { readonly reason: RouterDropReason; readonly client: string; readonly xid: number; readonly error?: unknown }

/** A router factory's pieces: every actor created, by client, every drop, and a clock the test moves (`time.ms`). */
export function harness() {
  const actors: FakeTransaction[] = [];
  const drops: Drop[] = [];
  const time = { ms: 1_700_000_000_000 };
  return {
    actors,
    drops,
    time,
    now: () => time.ms,
    createTransaction: (clientKey: string, waiting: boolean) => {
      const actor = new FakeTransaction(clientKey, waiting);
      actors.push(actor);
      return actor;
    },
    onDrop: (reason: RouterDropReason, r: RoutedRequest, error?: unknown) => {
      drops.push({ reason, client: r.clientKey, xid: r.request.xid, ...(error !== undefined ? { error } : {}) });
    },
    /** The latest actor created for a client. */
    actorOf: (clientKey: string): FakeTransaction => {
      const actor = actors.filter((a) => a.clientKey === clientKey).at(-1);
      if (actor === undefined) throw new Error(`no actor for ${clientKey}`);
      return actor;
    },
  };
}

export { MessageType };
