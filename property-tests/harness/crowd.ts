// Offers yield under pressure, on both sides of the request window: a reload to a pool of one or two addresses,
// then DISCOVERs from the direct clients one after another, time moving just under, onto or just past
// `offerRequestWindowMs` between them, so later ones find the pool full of offers shielded or just turned soft.
import fc from 'fast-check';
import { Base, Discover } from './commands.js';
import { configArb } from './config-arb.js';
import { seen } from './coverage.js';
import type { Model } from './model.js';
import { Reload } from './reload-command.js';
import type { ServerUnderTest } from './server-under-test.js';

export class Crowd extends Base {
  constructor(readonly reload: Reload, readonly clients: readonly string[], readonly offsetMs: number) { super(); }
  toString() { return `new Crowd(${this.reload}, ${JSON.stringify(this.clients)}, ${this.offsetMs})`; }

  protected async act(m: Model, s: ServerUnderTest): Promise<void> {
    await this.reload.run(m, s);
    const gap = Math.max(0, m.config.offerRequestWindowMs + this.offsetMs);
    for (const name of this.clients) {
      const before = s.app.statistics().counters;
      await new Discover(name).run(m, s);
      const after = s.app.statistics().counters;
      if ((after.events?.['offer.reclaimed'] ?? 0) > (before.events?.['offer.reclaimed'] ?? 0)) seen('crowd:reclaimed');
      if ((after.drops?.['offers-shielded'] ?? 0) > (before.drops?.['offers-shielded'] ?? 0)) seen('crowd:shielded');
      m.now += gap;
      await s.advance(gap);
    }
  }
}

/** configArb with subnet 1's pool cut to one or two addresses. */
const tightArb = fc.tuple(configArb, fc.constantFrom(['198.51.100.102-198.51.100.102'], ['198.51.100.102-198.51.100.103']))
  .map(([wire, pools]) => {
    const w = wire as { subnets: { id: number; pools: string[] }[] };
    return { ...wire, subnets: w.subnets.map((s) => (s.id === 1 ? { ...s, pools } : s)) };
  });

export const crowdArb = fc
  .tuple(tightArb, fc.shuffledSubarray(['c0', 'c1', 'c2', 'c3', 'c0', 'c1'], { minLength: 3 }), fc.constantFrom(-1, 0, 1))
  .map(([wire, clients, offset]) => new Crowd(new Reload(wire), clients, offset));
