// Concurrent clients: several DORAs at once, their DISCOVERs together then their REQUESTs together, with the
// store's acknowledgements released in an order a fast-check scheduler picks (and shrinks). Each answer is judged
// against the model in the order the server decided it.
import fc from 'fast-check';
import { MessageType } from '../../src/codec/types.js';
import { clientMessage } from '../../test/helpers/test-client.js';
import { Base, Discover, Request } from './commands.js';
import { Model } from './model.js';
import type { Outcome, ServerUnderTest } from './server-under-test.js';
import { seen } from './coverage.js';

export class Burst extends Base {
  constructor(readonly clients: readonly string[], readonly scheduler: fc.Scheduler) { super(); }
  toString() { return `new Burst(${JSON.stringify(this.clients)}, ${String(this.scheduler)})`; }

  protected async act(m: Model, s: ServerUnderTest): Promise<void> {
    const cs = this.clients.map((name) => Model.client(name));
    const discovers = cs.map((c) => ({ message: clientMessage(c.spec, MessageType.DISCOVER), route: { broadcast: !c.relayed } }));
    const offers = await s.sendMany(discovers, this.scheduler);
    const offered = new Set<string>();
    const addresses = new Set<string>();
    // A DISCOVER is decided (its offer held, or it is dropped) as it is injected, before the next one: no store write
    // and no await precede the hold. So they are judged in the order sent, silent ones in place, each against the
    // offers of the DISCOVERs before it — which may still be in their probe, as their OFFERs go out later.
    for (const [i, c] of cs.entries()) {
      Discover.judge(m, c, undefined, offers[i]!, `${this} DISCOVER of ${c.name}`, addresses);
      const reply = offers[i]!.replies[0];
      if (reply === undefined) continue;
      offered.add(c.name);
      addresses.add(reply.yiaddr);
    }
    const requests = cs.filter((c) => offered.has(c.name)).map((c) => ({ c, a: m.lastAddress.get(c.name)!, r: new Request(c.name, 'selecting', 'own') }));
    const acks = await s.sendMany(requests.map(({ c, a, r }) => r.message(c, a)), this.scheduler);
    for (const i of decisionOrder(acks)) requests[i]!.r.judge(m, requests[i]!.c, requests[i]!.a, acks[i]!);
    if (requests.length > 1) seen('burst:concurrent-commits');
  }
}

/** Replies in the order they were sent, then the silent ones. */
function decisionOrder(outcomes: readonly Outcome[]): number[] {
  return outcomes.map((o, i) => [o.order, i] as const).sort((a, b) => a[0] - b[0]).map(([, i]) => i);
}

export const burstArb = fc
  .tuple(fc.uniqueArray(fc.constantFrom('c0', 'c1', 'c2', 'c3', 'c4', 'c5'), { minLength: 2, maxLength: 4 }), fc.scheduler())
  .map(([clients, scheduler]) => new Burst(clients, scheduler));
