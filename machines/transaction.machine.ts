// One client exchange (RFC 2131 §3.1, §3.2): DISCOVER → OFFER held → REQUEST → ACK | NAK, or a RELEASE,
// DECLINE or INFORM; ends when answered or when the client goes quiet. Effects are injected by src/: `decide`
// starts the RFC 2131 rules for the message and reports back with `txn.decided` or `txn.failed`.
import { assign, setup } from 'xstate';
import type { Decision } from '../src/server/decision.js';
import type { RoutedRequest } from '../src/router/types.js';

export type TransactionEvent =
  | { readonly type: 'dhcp.discover'; readonly packet: RoutedRequest }
  | { readonly type: 'dhcp.request'; readonly packet: RoutedRequest }
  | { readonly type: 'dhcp.release'; readonly packet: RoutedRequest }
  | { readonly type: 'dhcp.decline'; readonly packet: RoutedRequest }
  | { readonly type: 'dhcp.inform'; readonly packet: RoutedRequest }
  | { readonly type: 'txn.decided'; readonly decision: Decision }
  | { readonly type: 'txn.failed'; readonly error: unknown };

export type MessageEvent = Extract<TransactionEvent, { packet: RoutedRequest }>;

export interface TransactionContext {
  readonly clientKey: string;
  readonly exchanges: number;
  /** The message being handled. */
  readonly current?: RoutedRequest;
  readonly lastDecision?: Decision;
  readonly error?: unknown;
}

/** What `decide` is given. */
export interface DecideInput {
  readonly packet: RoutedRequest;
}

const onEveryMessage = {
  'dhcp.discover': { target: 'offering', actions: 'accept' },
  'dhcp.request': { target: 'answering', actions: 'accept' },
  'dhcp.release': { target: 'answering', actions: 'accept' },
  'dhcp.decline': { target: 'answering', actions: 'accept' },
  'dhcp.inform': { target: 'answering', actions: 'accept' },
} as const;

const deciding = {
  entry: { type: 'decide', params: ({ context }: { context: TransactionContext }) => ({ packet: context.current! }) },
} as const;

const decided = (target: string) => ({
  target,
  actions: [
    'record',
    {
      type: 'respond',
      params: ({ context, event }: { context: TransactionContext; event: TransactionEvent }) => ({
        decision: (event as Extract<TransactionEvent, { type: 'txn.decided' }>).decision,
        packet: context.current!,
      }),
    },
  ],
}) as const;

export const transactionMachine = setup({
  types: {
    context: {} as TransactionContext,
    events: {} as TransactionEvent,
    input: {} as { clientKey: string },
  },
  actions: {
    accept: assign(({ event }) => ({ current: (event as MessageEvent).packet })),
    record: assign(({ context, event }) => ({
      exchanges: context.exchanges + 1,
      lastDecision: (event as Extract<TransactionEvent, { type: 'txn.decided' }>).decision,
    })),
    recordError: assign(({ event }) => ({ error: (event as Extract<TransactionEvent, { type: 'txn.failed' }>).error })),
    // Provided by src/: runs the RFC 2131 rules for the message; answers with txn.decided or txn.failed.
    decide: (_, _params: DecideInput) => {},
    // Provided by src/: hands the decision to egress (a reply) or to the counters (a drop).
    respond: (_, _params: { decision: Decision; packet: RoutedRequest }) => {},
  },
  delays: {
    // How long a transaction waits for the REQUEST after its OFFER; the offer itself is held by the lease.
    clientQuiet: 5_000,
  },
}).createMachine({
  id: 'transaction',
  initial: 'idle',
  context: ({ input }) => ({ clientKey: input.clientKey, exchanges: 0 }),
  states: {
    idle: { on: onEveryMessage },
    offering: {
      ...deciding,
      on: { 'txn.decided': decided('offered'), 'txn.failed': { target: 'failed', actions: 'recordError' } },
    },
    offered: {
      after: { clientQuiet: 'timedOut' },
      on: onEveryMessage,
    },
    answering: {
      ...deciding,
      on: { 'txn.decided': decided('answered'), 'txn.failed': { target: 'failed', actions: 'recordError' } },
    },
    answered: { type: 'final' },
    timedOut: { type: 'final' },
    failed: { type: 'final' },
  },
});

export type TransactionMachine = typeof transactionMachine;
