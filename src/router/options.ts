// What the router is built with: the transaction actor it drives per client, its bounds, and where drops go.
import type { TransactionEvent } from '../../machines/transaction.machine.js';
import type { RoutedRequest } from '../../machines/transaction.types.js';

/** The part of an XState actor the router uses (kept narrow so tests can count and crash actors). */
export interface TransactionActor {
  send(event: TransactionEvent): void;
  getSnapshot(): { value: unknown; status: string; context: { error?: unknown } };
  subscribe(observer: { next: () => void; error: (err: unknown) => void; complete: () => void }): unknown;
  start(): unknown;
  stop(): unknown;
}

export type RouterDropReason = 'duplicate' | 'queue-full' | 'too-many-clients' | 'transaction-failed' | 'shutting-down'
  | 'not-a-request' | 'overload';

export interface RouterOptions {
  /**
   * A client's transaction; `waiting`: it resumes an exchange that waits for this client's next message (the
   * machine's awaitingRequest), which the router kept without an actor.
   */
  readonly createTransaction: (clientKey: string, waiting: boolean) => TransactionActor;
  /** Epoch ms: how long a waiting exchange is remembered is the machine's clientQuiet. */
  readonly now: () => number;
  /** Requests waiting per client; the oldest goes first when full. */
  readonly maxQueuePerClient: number;
  /**
   * Clients with an exchange under way, deciding or waiting for the client; at it, the exchange waiting longest is
   * forgotten for a new client (`onWaitingEvicted`), and new clients are shed only when every exchange is deciding.
   */
  readonly maxClients: number;
  /** Requests waiting in all lanes together; beyond it the oldest anywhere is shed (default: unbounded). */
  readonly maxQueued?: number;
  readonly onDrop: (reason: RouterDropReason, routed: RoutedRequest, error?: unknown) => void;
  /** A waiting exchange was forgotten to make room for a new client. */
  readonly onWaitingEvicted?: () => void;
}
