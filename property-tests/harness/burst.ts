// Concurrent clients: several DORAs at once, their DISCOVERs together then their REQUESTs together, with the
// store's acknowledgements released in an order a fast-check scheduler picks (and shrinks). Each answer is judged
// against the model in the order the server decided it.
import fc from 'fast-check';
import { ipToInt } from '../../src/codec/index.js';
import { MessageType } from '../../src/codec/types.js';
import { clientMessage } from '../../test/helpers/test-client.js';
import { Base, Discover, Request } from './commands.js';
import { Model } from './model.js';
import type { Client } from './scenario.js';
import type { ServerUnderTest } from './server-under-test.js';
import { seen } from './coverage.js';
import { tightArb } from './crowd.js';
import { Reload } from './reload-command.js';

export class Burst extends Base {
  constructor(readonly clients: readonly string[], readonly scheduler: fc.Scheduler) { super(); }
  toString() { return `new Burst(${JSON.stringify(this.clients)}, ${String(this.scheduler)})`; }

  protected async act(m: Model, s: ServerUnderTest): Promise<void> {
    const cs = this.clients.map((name) => Model.client(name));
    const discovers = cs.map((c) => ({ message: clientMessage(c.spec, MessageType.DISCOVER), route: { broadcast: !c.relayed } }));
    const offers = await s.sendMany(discovers, this.scheduler);
    const offered = new Set<string>();
    const concurrent = new Map<string, { probe: 'probe' | 'maybe'; sentAt: number }>();
    // A DISCOVER is decided (its offer held, it joins another's probe, or it is dropped) as it is injected, before the
    // next one: no store write and no await precede the hold. So they are judged in the order sent, silent ones in
    // place, each against the offers of the DISCOVERs before it — in their probe when their address was new to
    // their client (their OFFERs go out later), so not to be offered unreserved before their own OFFER.
    for (const [i, c] of cs.entries()) {
      const reply = offers[i]!.replies[0];
      const probe = reply === undefined ? undefined : probeOf(m, c, reply.yiaddr);
      Discover.judge(m, c, undefined, offers[i]!, `${this} DISCOVER of ${c.name}`, concurrent);
      if (reply === undefined) continue;
      offered.add(c.name);
      // An unreserved offer holds nothing and is not probed: only a held offer of its own may be in a probe.
      if (probe !== undefined && m.offers.get(reply.yiaddr)?.client === c.name) concurrent.set(reply.yiaddr, { probe, sentAt: offers[i]!.order });
    }
    const requests = cs.filter((c) => offered.has(c.name)).map((c) => ({ c, a: m.lastAddress.get(c.name)!, r: new Request(c.name, 'selecting', 'own') }));
    const acks = await s.sendMany(requests.map(({ c, a, r }) => r.message(c, a)), this.scheduler);
    // Decided in the order sent too: a REQUEST's binding is in the book before its store write is awaited, so a
    // later REQUEST for the same address (an unreserved offer's and its holder's) finds it bound, whichever of their
    // replies goes out first.
    for (const [i, { c, a, r }] of requests.entries()) r.judge(m, c, a, acks[i]!);
    if (requests.length > 1) seen('burst:concurrent-commits');
  }
}

/**
 * Whether the offer of `ip` this DISCOVER is about to be judged for went into a conflict-check probe
 * (src/server/conflict-check/needs-check.ts): an address new to the client is probed; its own lease (or a lapsed
 * offer: the model does not keep which) may be; its reservation is not.
 */
function probeOf(m: Model, c: Client, ip: string): 'probe' | 'maybe' | undefined {
  const subnet = m.subnetOf(c);
  if (!m.config.conflictCheck.enabled || subnet === undefined) return undefined;
  if (m.reservationOf(c, subnet)?.address === ipToInt(ip)) return undefined;
  return m.records.get(ip)?.client === c.name ? 'maybe' : 'probe';
}

export const burstArb = fc
  .tuple(fc.uniqueArray(fc.constantFrom('c0', 'c1', 'c2', 'c3', 'c4', 'c5'), { minLength: 2, maxLength: 4 }), fc.scheduler())
  .map(([clients, scheduler]) => new Burst(clients, scheduler));

/**
 * A reload to a pool of one or two addresses, then a burst: its DISCOVERs find the pool full of offers still in
 * their probe, and join those probes (src/server/offer-joined.ts).
 */
export class TightBurst extends Base {
  constructor(readonly reload: Reload, readonly burst: Burst) { super(); }
  toString() { return `new TightBurst(${this.reload}, ${this.burst})`; }
  protected async act(m: Model, s: ServerUnderTest): Promise<void> {
    await this.reload.run(m, s);
    await this.burst.run(m, s);
  }
}

export const tightBurstArb = fc.tuple(tightArb, burstArb).map(([wire, burst]) => new TightBurst(new Reload(wire), burst));
