// Offers do not reserve under pressure: a reload to a pool of one or two addresses, then DISCOVERs from the direct
// clients one after another, time standing still or moving a little between them, so later ones
// find the pool full of other clients' offers (then offered unreserved); then some of them REQUEST, racing for the
// addresses, maybe just before or just after their unreserved offers lapse.
import fc from 'fast-check';
import { Base, Discover, Request } from './commands.js';
import { configArb } from './config-arb.js';
import { seen } from './coverage.js';
import type { Model } from './model.js';
import { Reload } from './reload-command.js';
import type { ServerUnderTest } from './server-under-test.js';

export class Crowd extends Base {
  constructor(
    readonly reload: Reload, readonly clients: readonly string[], readonly gapMs: number,
    /** Then these REQUEST what they were offered last, in this order (after a HoldLapse, if one is given). */
    readonly requests: readonly string[] = [], readonly lapse?: HoldLapse,
  ) { super(); }
  toString() {
    return `new Crowd(${this.reload}, ${JSON.stringify(this.clients)}, ${this.gapMs}, ${JSON.stringify(this.requests)}${this.lapse ? `, ${this.lapse}` : ''})`;
  }

  protected async act(m: Model, s: ServerUnderTest): Promise<void> {
    await this.reload.run(m, s);
    const gap = this.gapMs;
    for (const name of this.clients) {
      const before = s.app.statistics().counters;
      await new Discover(name).run(m, s);
      const after = s.app.statistics().counters;
      if ((after.events?.['offer.unreserved'] ?? 0) > (before.events?.['offer.unreserved'] ?? 0)) seen('crowd:unreserved');
      m.now += gap;
      await s.advance(gap);
    }
    await this.lapse?.run(m, s);
    // The first REQUEST for an address wins it, whoever holds the offer; the others are NAKed.
    for (const name of this.requests) await new Request(name, 'selecting', 'own').run(m, s);
  }
}

/**
 * Time moves to 1 ms before or onto the end of the latest unreserved offer (else of an offer made now): on one
 * side its REQUEST may still win the address, on the other it is judged as any offer that is gone.
 */
export class HoldLapse extends Base {
  constructor(readonly offsetMs: number) { super(); }
  toString() { return `new HoldLapse(${this.offsetMs})`; }
  protected async act(m: Model, s: ServerUnderTest): Promise<void> {
    const ends = [...m.unreserved.values()].map((u) => u.until).filter((t) => t > m.now);
    const ms = Math.max(0, (ends.length > 0 ? Math.max(...ends) : m.now + m.config.offerHoldMs) + this.offsetMs - m.now);
    m.now += ms;
    await s.advance(ms);
  }
}

/** configArb with subnet 1's pool cut to one or two addresses. */
export const tightArb = fc.tuple(configArb, fc.constantFrom(['198.51.100.102-198.51.100.102'], ['198.51.100.102-198.51.100.103']))
  .map(([wire, pools]) => {
    const w = wire as { subnets: { id: number; pools: string[] }[] };
    return { ...wire, subnets: w.subnets.map((s) => (s.id === 1 ? { ...s, pools } : s)) };
  });

export const holdLapseArb = fc.constantFrom(-1, 0).map((offset) => new HoldLapse(offset));

export const crowdArb = fc
  // 0: all at once, so every DISCOVER beyond the pool finds it full of offers still in their probes or just sent.
  .tuple(
    tightArb, fc.shuffledSubarray(['c0', 'c1', 'c2', 'c3', 'c0', 'c1'], { minLength: 3 }), fc.constantFrom(0, 1, 99, 100, 101),
    fc.shuffledSubarray(['c0', 'c1', 'c2', 'c3']), fc.option(holdLapseArb, { nil: undefined }),
  )
  .map(([wire, clients, gapMs, requests, lapse]) => new Crowd(new Reload(wire), clients, gapMs, requests, lapse));
