// The lease lifecycle (RFC 2131 §4.4.5 seen from the server): offered → leased (bound → renewing → rebinding) → expired,
// or released / declined (by the client, or by the conflict check before an offer goes out); expired and declined
// addresses return to the pool once their grace or probation is over.
import { assign, setup } from 'xstate';
import type { LeaseContext } from './lease.types.js';

export interface LeaseTimes {
  readonly now: number;
  /** Milliseconds, from `now`. */
  readonly leaseMs: number;
  readonly renewMs: number;
  readonly rebindMs: number;
  /** How long after expiry the client may still renew (the grace period). */
  readonly graceMs: number;
}

export type LeaseEvent =
  | { readonly type: 'lease.offer'; readonly now: number; readonly holdMs: number }
  | ({ readonly type: 'lease.commit'; readonly hostname?: string } & LeaseTimes)
  | { readonly type: 'lease.release'; readonly now: number }
  | { readonly type: 'lease.decline'; readonly now: number; readonly probationMs: number }
  | { readonly type: 'lease.conflict'; readonly now: number; readonly probationMs: number }
  | { readonly type: 'lease.withdraw'; readonly now: number };

export type LeaseInput = Omit<LeaseContext, 'offerExpiresAt' | 'boundAt' | 'renewAt' | 'rebindAt' | 'expiresAt'
  | 'graceUntil' | 'probationUntil' | 'changedAt'> & { readonly now: number; readonly holdMs: number };

type Deadline = 'offerExpiresAt' | 'renewAt' | 'rebindAt' | 'expiresAt' | 'graceUntil' | 'probationUntil';

export const leaseMachine = setup({
  types: {
    context: {} as LeaseContext,
    events: {} as LeaseEvent,
    input: {} as LeaseInput,
  },
  delays: {
    offerHold: ({ context }) => context.offerExpiresAt - context.changedAt,
    renewal: ({ context }) => context.renewAt - context.changedAt,
    rebinding: ({ context }) => context.rebindAt - context.changedAt,
    expiry: ({ context }) => context.expiresAt - context.changedAt,
    grace: ({ context }) => context.graceUntil - context.changedAt,
    probation: ({ context }) => context.probationUntil - context.changedAt,
  },
  actions: {
    /** A timer's transition happens at its own deadline, so `changedAt` moves to it. */
    reachDeadline: assign(({ context }, params: { deadline: Deadline }) => ({ changedAt: context[params.deadline] })),
    holdOffer: assign(({ event }) => {
      const e = event as Extract<LeaseEvent, { type: 'lease.offer' }>;
      return { changedAt: e.now, offerExpiresAt: e.now + e.holdMs };
    }),
    bind: assign(({ context, event }) => {
      const e = event as Extract<LeaseEvent, { type: 'lease.commit' }>;
      const expiresAt = e.now + e.leaseMs;
      return {
        changedAt: e.now,
        boundAt: e.now,
        renewAt: e.now + e.renewMs,
        rebindAt: e.now + e.rebindMs,
        expiresAt,
        graceUntil: expiresAt + e.graceMs,
        hostname: e.hostname ?? context.hostname,
      };
    }),
    stamp: assign(({ event }) => ({ changedAt: (event as { now: number }).now })),
    startProbation: assign(({ event }) => {
      const e = event as Extract<LeaseEvent, { type: 'lease.decline' | 'lease.conflict' }>;
      return { changedAt: e.now, probationUntil: e.now + e.probationMs };
    }),
  },
}).createMachine({
  id: 'lease',
  initial: 'offered',
  // Field by field: an object rest/spread here cost ~10 µs per lease in V8. `hostname` always, undefined when the
  // client sent none: `bind` sets it, and a step that adds a field to a context takes V8's slow path to copy it.
  context: ({ input }) => ({
    ip: input.ip,
    subnetId: input.subnetId,
    clientKey: input.clientKey,
    hwAddress: input.hwAddress,
    hostname: input.hostname,
    offerExpiresAt: input.now + input.holdMs,
    boundAt: 0,
    renewAt: 0,
    rebindAt: 0,
    expiresAt: 0,
    graceUntil: 0,
    probationUntil: 0,
    changedAt: input.now,
  }),
  states: {
    offered: {
      after: { offerHold: { target: 'reclaimed', actions: { type: 'reachDeadline', params: { deadline: 'offerExpiresAt' } } } },
      on: {
        'lease.offer': { target: 'offered', reenter: true, actions: 'holdOffer' },
        'lease.commit': { target: 'leased.bound', actions: 'bind' },
        'lease.withdraw': { target: 'reclaimed', actions: 'stamp' },
        // The conflict check found the address in use before the OFFER went out (RFC 2131 §4.4.1).
        'lease.conflict': { target: 'declined', actions: 'startProbation' },
      },
    },
    // What bound, renewing and rebinding share: the client may renew (back to bound, timers from the new ACK),
    // release or decline at any time; each child only adds the timer that moves it on.
    leased: {
      initial: 'bound',
      on: {
        'lease.commit': { target: '.bound', actions: 'bind' },
        'lease.release': { target: 'released', actions: 'stamp' },
        'lease.decline': { target: 'declined', actions: 'startProbation' },
      },
      states: {
        // The ids keep the timers' event names (`xstate.after.renewal.lease.bound`, …), persisted with each lease.
        bound: {
          id: 'lease.bound',
          after: { renewal: { target: 'renewing', actions: { type: 'reachDeadline', params: { deadline: 'renewAt' } } } },
        },
        renewing: {
          id: 'lease.renewing',
          after: { rebinding: { target: 'rebinding', actions: { type: 'reachDeadline', params: { deadline: 'rebindAt' } } } },
        },
        rebinding: {
          id: 'lease.rebinding',
          after: { expiry: { target: '#lease.expired', actions: { type: 'reachDeadline', params: { deadline: 'expiresAt' } } } },
        },
      },
    },
    expired: {
      // The grace period: the client may still come back and renew (the owner's renewal diagram).
      after: { grace: { target: 'reclaimed', actions: { type: 'reachDeadline', params: { deadline: 'graceUntil' } } } },
      on: {
        'lease.commit': { target: 'leased.bound', actions: 'bind' },
        'lease.release': { target: 'released', actions: 'stamp' },
      },
    },
    declined: {
      // RFC 2131 §4.3.3: the address is held back (probation) before it can be offered again.
      after: { probation: { target: 'reclaimed', actions: { type: 'reachDeadline', params: { deadline: 'probationUntil' } } } },
    },
    released: { type: 'final' },
    reclaimed: { type: 'final' },
  },
});

export type LeaseMachine = typeof leaseMachine;
