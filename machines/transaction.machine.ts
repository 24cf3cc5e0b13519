// One client exchange (RFC 2131 §3.1, §3.2): DISCOVER → OFFER held → REQUEST → ACK | NAK, or a RELEASE,
// DECLINE or INFORM; ends when answered or when the client goes quiet. Effects are injected by src/: `decide`
// starts the RFC 2131 rules for the message and reports back with `txn.decided` or `txn.failed`; before an OFFER
// goes out, `checkConflict` probes its address (RFC 2131 §4.4.1) and answers `txn.checked` with the decision to
// send, or `txn.conflict` when someone answered: the address is on probation and the next one is chosen.
import { assign, setup } from 'xstate';
import type { Decision, RoutedRequest } from './transaction.types.js';

export type TransactionEvent =
  | { readonly type: 'dhcp.discover'; readonly packet: RoutedRequest }
  | { readonly type: 'dhcp.request'; readonly packet: RoutedRequest }
  | { readonly type: 'dhcp.release'; readonly packet: RoutedRequest }
  | { readonly type: 'dhcp.decline'; readonly packet: RoutedRequest }
  | { readonly type: 'dhcp.inform'; readonly packet: RoutedRequest }
  | { readonly type: 'txn.decided'; readonly decision: Decision }
  | { readonly type: 'txn.checked'; readonly decision: Decision }
  | { readonly type: 'txn.conflict' }
  | { readonly type: 'txn.failed'; readonly error: unknown };

export type MessageEvent = Extract<TransactionEvent, { packet: RoutedRequest }>;

/** How long a transaction waits for the client's next message after its OFFER; the offer itself is held by the lease. */
export const CLIENT_QUIET_MS = 5_000;

export interface TransactionContext {
  readonly clientKey: string;
  readonly exchanges: number;
  /** The message being handled (none while awaiting the REQUEST). */
  readonly current?: RoutedRequest;
  /** The decision of the exchange under way or just ended (none while awaiting the REQUEST). */
  readonly lastDecision?: Decision;
  /** The OFFER decision whose address is being probed. */
  readonly pending?: Decision;
  /** Addresses of the current DISCOVER found in use so far. */
  readonly conflicts: number;
  readonly error?: unknown;
}

/** What `decide` is given. */
export interface DecideInput {
  readonly packet: RoutedRequest;
}

/** What `checkConflict` is given: the decision of a DISCOVER and how many addresses were found in use before. */
export interface CheckConflictInput {
  readonly decision: Decision;
  readonly packet: RoutedRequest;
  readonly conflicts: number;
}

const onEveryMessage = {
  'dhcp.discover': { target: 'offering', actions: 'accept' },
  'dhcp.request': { target: 'deciding', actions: 'accept' },
  'dhcp.release': { target: 'deciding', actions: 'accept' },
  'dhcp.decline': { target: 'deciding', actions: 'accept' },
  'dhcp.inform': { target: 'deciding', actions: 'accept' },
} as const;

const decideOnEntry = {
  entry: { type: 'decide', params: ({ context }: { context: TransactionContext }) => ({ packet: context.current! }) },
} as const;

const decided = (target: string) => ({
  target,
  actions: [
    'record',
    {
      type: 'sendReply',
      params: ({ context, event }: { context: TransactionContext; event: TransactionEvent }) => ({
        decision: (event as Extract<TransactionEvent, { type: 'txn.decided' | 'txn.checked' }>).decision,
        packet: context.current!,
      }),
    },
  ],
}) as const;

const failed = { target: 'failed', actions: 'recordError' } as const;

/** What forgetExchange assigns: the same every time, so made once. */
const FORGOTTEN = Object.freeze({ current: undefined, pending: undefined, lastDecision: undefined });

export const transactionMachine = setup({
  types: {
    context: {} as TransactionContext,
    events: {} as TransactionEvent,
    input: {} as { clientKey: string },
  },
  actions: {
    accept: assign(({ event }) => ({ current: (event as MessageEvent).packet, conflicts: 0 })),
    record: assign(({ context, event }) => ({
      exchanges: context.exchanges + 1,
      lastDecision: (event as Extract<TransactionEvent, { type: 'txn.decided' | 'txn.checked' }>).decision,
    })),
    hold: assign(({ event }) => ({ pending: (event as Extract<TransactionEvent, { type: 'txn.decided' }>).decision })),
    countConflict: assign(({ context }) => ({ conflicts: context.conflicts + 1 })),
    // The OFFER is out and the lease holds it: the DISCOVER and the OFFER are not needed to take the REQUEST. Kept,
    // they were ~5 KB per waiting client that a flood of DISCOVERs from random MACs held for clientQuiet each
    // (bench/hostile/memory.bench.ts), long enough for V8 to promote them and the old space to grow with the flood.
    forgetExchange: assign(() => FORGOTTEN),
    recordError: assign(({ event }) => ({ error: (event as Extract<TransactionEvent, { type: 'txn.failed' }>).error })),
    // Provided by src/: runs the RFC 2131 rules for the message; answers with txn.decided or txn.failed.
    decide: (_, _params: DecideInput) => {},
    // Provided by src/: probes the offered address; answers with txn.checked, txn.conflict or txn.failed.
    checkConflict: (_, _params: CheckConflictInput) => {},
    // Provided by src/: hands the decision to egress (a reply) or to the counters (a drop).
    sendReply: (_, _params: { decision: Decision; packet: RoutedRequest }) => {},
  },
  delays: {
    clientQuiet: CLIENT_QUIET_MS,
  },
}).createMachine({
  id: 'transaction',
  initial: 'idle',
  // Every field from the start, the optional ones undefined: the steps then change the context's fields in place
  // instead of adding properties (a new hidden class and a property store grown per exchange).
  context: ({ input }) => ({
    clientKey: input.clientKey, exchanges: 0, conflicts: 0, current: undefined, lastDecision: undefined, pending: undefined, error: undefined,
  }),
  states: {
    idle: { on: onEveryMessage },
    offering: {
      ...decideOnEntry,
      on: { 'txn.decided': { target: 'probing', actions: 'hold' }, 'txn.failed': failed },
    },
    // The lease-allocation flow's "Check IP Conflict": an address in use is put on probation and the next chosen.
    probing: {
      entry: {
        type: 'checkConflict',
        params: ({ context }: { context: TransactionContext }) => ({
          decision: context.pending!, packet: context.current!, conflicts: context.conflicts,
        }),
      },
      on: {
        'txn.checked': decided('awaitingRequest'),
        'txn.conflict': { target: 'offering', actions: 'countConflict' },
        'txn.failed': failed,
      },
    },
    awaitingRequest: {
      entry: 'forgetExchange',
      after: { clientQuiet: 'timedOut' },
      on: onEveryMessage,
    },
    deciding: {
      ...decideOnEntry,
      on: { 'txn.decided': decided('done'), 'txn.failed': failed },
    },
    done: { type: 'final' },
    timedOut: { type: 'final' },
    failed: { type: 'final' },
  },
});

export type TransactionMachine = typeof transactionMachine;
