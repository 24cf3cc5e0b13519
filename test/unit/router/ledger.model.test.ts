// The router's ledger of queued requests under random traffic: every routed request is, at every moment, exactly one
// of handed to its client's transaction, dropped (and reported), or waiting in the ledger. A lane that skips the
// ledger for a request it never put there (lane.ts `fresh`) must never skip one it did put there: a stale entry
// would be counted as queued for ever and later shed as "overload" a second time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Router } from '../../../src/router/router.js';
import { harness, MessageType, routed } from './fixtures.js';

type Op =
  | { kind: 'route'; client: number; type: MessageType; xid: number }
  | { kind: 'become'; client: number; state: 'awaitingRequest' | 'done' | 'failed' | 'idle' }
  | { kind: 'crash'; client: number };

const client = fc.integer({ min: 0, max: 5 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('route' as const), client,
      type: fc.constantFrom(MessageType.DISCOVER, MessageType.REQUEST, MessageType.RELEASE, MessageType.OFFER),
      xid: fc.integer({ min: 1, max: 4 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('become' as const), client, state: fc.constantFrom('awaitingRequest' as const, 'done' as const, 'failed' as const, 'idle' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('crash' as const), client }) },
);

describe('the router ledger', () => {
  it('routed = handed to a transaction + dropped + queued, after every step', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 200 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 3 }), (ops, maxQueued, maxQueuePerClient) => {
      const h = harness();
      const router = new Router({ createTransaction: h.createTransaction, now: h.now, onDrop: h.onDrop, maxQueuePerClient, maxClients: 100, maxQueued });
      let sent = 0;
      const handed = (): number => h.actors.reduce((n, a) => n + a.received.length, 0);
      // A failed transaction's own request was handed to it already: its drop is a report, not a second fate.
      const dropped = (): number => h.drops.filter((d) => d.reason !== 'transaction-failed').length;
      const live = (c: number) => h.actors.filter((a) => a.clientKey === `c${c}` && a.status === 'active' && !a.stopped).at(-1);
      for (const o of ops) {
        if (o.kind === 'route') {
          router.route(routed(`c${o.client}`, o.type, o.xid));
          sent++;
        } else if (o.kind === 'become') {
          live(o.client)?.become(o.state);
        } else {
          live(o.client)?.crash(new Error('boom'));
        }
        expect(handed() + dropped() + router.queuedRequests).toBe(sent);
        expect(router.queuedRequests).toBeLessThanOrEqual(maxQueued);
      }
      // Every transaction ends: nothing is left in the ledger.
      for (let i = 0; i < 10 * ops.length + 10; i++) {
        const active = h.actors.find((a) => a.status === 'active' && !a.stopped);
        if (active === undefined) break;
        active.become('done');
      }
      expect(handed() + dropped()).toBe(sent);
      expect(router.queuedRequests).toBe(0);
    }), { numRuns: 300 });
  });
});
