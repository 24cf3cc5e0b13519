// One client exchange (RFC 2131 §3.1, §3.2): DISCOVER → OFFER held → REQUEST → ACK | NAK, or a RELEASE,
// DECLINE or INFORM; ends when answered or when the client goes quiet. Effects are injected by src/.
import { assign, fromPromise, setup } from 'xstate';
import type { Decision } from '../src/server/decision.js';
import type { RoutedRequest } from '../src/router/types.js';

export type TransactionEvent =
  | { readonly type: 'dhcp.discover'; readonly packet: RoutedRequest }
  | { readonly type: 'dhcp.request'; readonly packet: RoutedRequest }
  | { readonly type: 'dhcp.release'; readonly packet: RoutedRequest }
  | { readonly type: 'dhcp.decline'; readonly packet: RoutedRequest }
  | { readonly type: 'dhcp.inform'; readonly packet: RoutedRequest };

export interface TransactionContext {
  readonly clientKey: string;
  readonly exchanges: number;
  /** The message being handled. */
  readonly current?: RoutedRequest;
  readonly lastDecision?: Decision;
  readonly error?: unknown;
}

/** What the `decide` actor is given: the request and which kind of step it is. */
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

export const transactionMachine = setup({
  types: {
    context: {} as TransactionContext,
    events: {} as TransactionEvent,
    input: {} as { clientKey: string },
  },
  actors: {
    // Provided by src/server: runs the RFC 2131 rules for the request and returns the decision.
    decide: fromPromise<Decision, DecideInput>(async () => {
      throw new TypeError('decide is provided by the server');
    }),
  },
  actions: {
    accept: assign(({ event }) => ({ current: event.packet })),
    record: assign(({ context }, params: { decision: Decision }) => ({
      exchanges: context.exchanges + 1,
      lastDecision: params.decision,
    })),
    recordError: assign((_, params: { error: unknown }) => ({ error: params.error })),
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
      invoke: {
        src: 'decide',
        input: ({ event }) => ({ packet: (event as TransactionEvent).packet }),
        onDone: {
          target: 'offered',
          actions: [
            { type: 'record', params: ({ event }) => ({ decision: event.output }) },
            { type: 'respond', params: ({ context, event }) => ({ decision: event.output, packet: context.current! }) },
          ],
        },
        onError: { target: 'failed', actions: { type: 'recordError', params: ({ event }) => ({ error: event.error }) } },
      },
    },
    offered: {
      after: { clientQuiet: 'timedOut' },
      on: onEveryMessage,
    },
    answering: {
      invoke: {
        src: 'decide',
        input: ({ event }) => ({ packet: (event as TransactionEvent).packet }),
        onDone: {
          target: 'answered',
          actions: [
            { type: 'record', params: ({ event }) => ({ decision: event.output }) },
            { type: 'respond', params: ({ context, event }) => ({ decision: event.output, packet: context.current! }) },
          ],
        },
        onError: { target: 'failed', actions: { type: 'recordError', params: ({ event }) => ({ error: event.error }) } },
      },
    },
    answered: { type: 'final' },
    timedOut: { type: 'final' },
    failed: { type: 'final' },
  },
});

export type TransactionMachine = typeof transactionMachine;
