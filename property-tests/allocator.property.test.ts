// Allocator properties: it never leaves its pools nor hands out an address isFree rejects, and it gives each of
// N free addresses exactly once before it reports exhaustion — also with the server's real policy (isFreeFor over
// a lease book holding leases in every state, and reservations): never bound, held, declined or reserved for another.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseAddress, inPools, poolSize, type Candidates, type Cursor } from '../src/allocator/allocator.js';
import { ManualClock } from '../src/clock.js';
import { intToIp } from '../src/codec/index.js';
import type { AddressRange, Reservation, Subnet } from '../src/config/types.js';
import { LeaseBook } from '../src/leases/lease-book.js';
import { startLease, stepLease } from '../src/leases/lease-runner.js';
import type { ServerDeps } from '../src/server/deps.js';
import { isFreeFor } from '../src/server/lease-policy.js';
import type { LeaseRecord, LeaseState } from '../machines/lease.types.js';

const numRuns = Number(process.env.PROPERTY_RUNS ?? 200);

/** 198.18.0.0/15 as integers: room for several disjoint pools. */
const BASE = 0xc6120000;

/** Up to four disjoint, ordered pools of up to 64 addresses, with gaps between them. */
const poolsArb: fc.Arbitrary<AddressRange[]> = fc
  .array(fc.record({ gap: fc.nat(40), size: fc.integer({ min: 1, max: 64 }) }), { minLength: 1, maxLength: 4 })
  .map((specs) => {
    let next = BASE;
    return specs.map(({ gap, size }) => {
      const start = next + gap;
      next = start + size;
      return { start, end: start + size - 1 };
    });
  });

/** An address near the pools: inside, in a gap, or just outside either end. */
const nearArb = (pools: AddressRange[]) =>
  fc.integer({ min: pools[0]!.start - 5, max: pools.at(-1)!.end + 5 });

const scenarioArb = poolsArb.chain((pools) =>
  fc.record({
    pools: fc.constant(pools),
    taken: fc.uniqueArray(nearArb(pools), { maxLength: 80 }),
    requested: fc.option(nearArb(pools), { nil: undefined }),
    previous: fc.option(nearArb(pools), { nil: undefined }),
    cursor: fc.integer({ min: -300, max: 300 }),
  }),
);

describe('allocator properties', () => {
  it('never returns an address outside its pools or one isFree rejects (no existing or reserved candidate)', () => {
    fc.assert(fc.property(scenarioArb, ({ pools, taken, requested, previous, cursor }) => {
      const takenSet = new Set(taken);
      const isFree = (ip: number) => !takenSet.has(ip);
      const candidates: Candidates = { requested, previous };
      const choice = chooseAddress(pools, candidates, isFree, { next: cursor });
      const freeInPools = countFree(pools, isFree);
      if (choice.kind === 'exhausted') {
        expect(freeInPools).toBe(0);
        return;
      }
      expect(inPools(pools, choice.ip)).toBe(true);
      expect(isFree(choice.ip)).toBe(true);
    }), { numRuns });
  });

  it('with N free addresses: N distinct allocations, then exhausted', () => {
    fc.assert(fc.property(scenarioArb, ({ pools, taken, requested, previous, cursor }) => {
      const takenSet = new Set(taken);
      const isFree = (ip: number) => !takenSet.has(ip);
      const n = countFree(pools, isFree);
      const c: Cursor = { next: cursor };
      const given = new Set<number>();
      for (let i = 0; i < n; i++) {
        // The client hints stay the same each time: once taken they must be passed over, not repeated.
        const choice = chooseAddress(pools, { requested, previous }, isFree, c);
        expect(choice.kind).toBe('chosen');
        if (choice.kind !== 'chosen') return;
        expect(given.has(choice.ip)).toBe(false);
        given.add(choice.ip);
        takenSet.add(choice.ip);
      }
      expect(chooseAddress(pools, { requested, previous }, isFree, c)).toEqual({ kind: 'exhausted' });
    }), { numRuns });
  });
});

function countFree(pools: readonly AddressRange[], isFree: (ip: number) => boolean): number {
  let free = 0;
  for (const pool of pools) for (let ip = pool.start; ip <= pool.end; ip++) if (isFree(ip)) free++;
  expect(free).toBeLessThanOrEqual(poolSize(pools));
  return free;
}

/** A record in the given state, built by the lease machine itself (timers stepped as the schedule would). */
function recordIn(state: LeaseState, ip: number, client: number): LeaseRecord {
  const now = 1_700_000_000_000;
  const identity = { ip: intToIp(ip), subnetId: 1, clientKey: `hw:1:${client}`, hwAddress: '02:00:00:00:00:01' };
  let r = startLease({ ...identity, now, holdMs: 60_000 });
  const step = (event: Parameters<typeof stepLease>[1]) => (r = stepLease(r, event) ?? r);
  const timer = () => step({ type: r.timers[0]!.event });
  const commit = () => step({ type: 'lease.commit', now: now + 1, leaseMs: 3_600_000, renewMs: 1_800_000, rebindMs: 3_150_000, graceMs: 300_000 });
  switch (state) {
    case 'offered': break;
    case 'reclaimed': step({ type: 'lease.withdraw', now: now + 1 }); break;
    case 'bound': commit(); break;
    case 'renewing': commit(); timer(); break;
    case 'rebinding': commit(); timer(); timer(); break;
    case 'expired': commit(); timer(); timer(); timer(); break;
    case 'released': commit(); step({ type: 'lease.release', now: now + 2 }); break;
    case 'declined': commit(); step({ type: 'lease.decline', now: now + 2, probationMs: 3_600_000 }); break;
  }
  expect(r.state).toBe(state);
  return r;
}

const STATES: readonly LeaseState[] = ['offered', 'bound', 'renewing', 'rebinding', 'expired', 'released', 'declined', 'reclaimed'];
/** Taken for everyone: every state but the two final ones (RFC 2131 §4.3.3 probation included). */
const TAKEN: ReadonlySet<LeaseState> = new Set(['offered', 'bound', 'renewing', 'rebinding', 'expired', 'declined']);

/** Small pools (up to 3 × 8 addresses), so that leases in every state often fill them up. */
const smallPoolsArb: fc.Arbitrary<AddressRange[]> = fc
  .array(fc.record({ gap: fc.nat(4), size: fc.integer({ min: 1, max: 8 }) }), { minLength: 1, maxLength: 3 })
  .map((specs) => {
    let next = BASE;
    return specs.map(({ gap, size }) => ({ start: (next += gap), end: (next += size) - 1 }));
  });

const serverScenarioArb = smallPoolsArb.chain((pools) =>
  fc.record({
    pools: fc.constant(pools),
    leases: fc.uniqueArray(fc.tuple(nearArb(pools), fc.constantFrom(...STATES), fc.nat(5)), { selector: ([ip]) => ip, maxLength: 30 }),
    reserved: fc.uniqueArray(nearArb(pools), { maxLength: 6 }),
    /** Which reservation (if any) is the asking client's own. */
    mine: fc.nat(8),
    requested: fc.option(nearArb(pools), { nil: undefined }),
    cursor: fc.integer({ min: -300, max: 300 }),
  }),
);

type ServerScenario = typeof serverScenarioArb extends fc.Arbitrary<infer T> ? T : never;

function serverWorld({ pools, leases, reserved, mine }: ServerScenario) {
  const book = new LeaseBook({ clock: new ManualClock(), onTimerChange: () => {} });
  for (const [ip, state, client] of leases) book.restore(recordIn(state, ip, client));
  const reservations: Reservation[] = reserved.map((address, i) => ({ address, hwAddress: `02:00:00:00:01:${i}` }));
  const subnet: Subnet = {
    id: 1, cidr: '198.18.0.0/15', network: BASE, prefixLength: 15, mask: 0xfffe0000, broadcast: BASE + 0x1ffff,
    pools, reservations, leaseTime: 3600, renewalTime: 1800, rebindingTime: 3150, options: [], authoritative: false, interfaces: [],
  };
  const own = reservations[mine];
  // isFreeFor reads only the book; the rest of the server's deps play no part in address choice.
  const deps = { book } as unknown as ServerDeps;
  const free = (ip: number): boolean => {
    const lease = leases.find(([l]) => l === ip);
    return !(lease !== undefined && TAKEN.has(lease[1])) && !reservations.some((r) => r.address === ip && r !== own);
  };
  return { book, isFree: isFreeFor(deps, subnet, own), free };
}

type Policy = (isFree: (ip: number) => boolean, world: ReturnType<typeof serverWorld>) => (ip: number) => boolean;

/** The property, over the real policy or a broken variant of it (to show that it can fail). */
const neverTaken = (policy: Policy, seen = new Set<string>()) =>
  fc.property(serverScenarioArb, (scenario) => {
    const world = serverWorld(scenario);
    const { free } = world;
    const isFree = policy(world.isFree, world);
    const choice = chooseAddress(scenario.pools, { requested: scenario.requested }, isFree, { next: scenario.cursor });
    seen.add(choice.kind);
    if (choice.kind === 'exhausted') {
      expect(countFree(scenario.pools, free)).toBe(0);
      return;
    }
    expect(inPools(scenario.pools, choice.ip)).toBe(true);
    expect(free(choice.ip), `chose ${intToIp(choice.ip)}`).toBe(true);
  });

describe('allocator with the server\'s isFreeFor policy', () => {
  it('never returns a bound, offered, expired-in-grace or declined address, nor one reserved for another client', () => {
    const seen = new Set<string>();
    fc.assert(neverTaken((isFree) => isFree, seen), { numRuns });
    if (numRuns >= 100) expect(seen).toEqual(new Set(['chosen', 'exhausted']));
  });

  it.each<[string, Policy]>([
    ['declined addresses counted free', (isFree, w) => (ip) => isFree(ip) || w.book.get(intToIp(ip))?.state === 'declined'],
    ['bound addresses counted free', (isFree, w) => (ip) => isFree(ip) || w.book.get(intToIp(ip))?.state === 'bound'],
    ['reservations ignored', (_isFree, w) => (ip) => !w.book.isTaken(intToIp(ip))],
  ])('fails on a broken policy: %s', (_name, policy) => {
    expect(fc.check(neverTaken(policy), { numRuns: 2_000, seed: 42 }).failed).toBe(true);
  });

  it('with N free addresses, N distinct clients get N distinct offers, then the N+1st is told "exhausted"', () => {
    fc.assert(fc.property(serverScenarioArb, (scenario) => {
      const { book, isFree, free } = serverWorld(scenario);
      const n = countFree(scenario.pools, free);
      const cursor: Cursor = { next: scenario.cursor };
      const given = new Set<number>();
      for (let client = 0; client < n; client++) {
        const choice = chooseAddress(scenario.pools, { requested: scenario.requested }, isFree, cursor);
        if (choice.kind !== 'chosen') throw new Error(`client ${client} of ${n}: exhausted early`);
        expect(given.has(choice.ip)).toBe(false);
        given.add(choice.ip);
        // The offer holds the address in the book, as handleDiscover does.
        book.offer({ ip: intToIp(choice.ip), subnetId: 1, clientKey: `hw:1:new${client}`, hwAddress: '02:00:00:00:02:00', now: 1_700_000_000_000, holdMs: 60_000 });
      }
      expect(chooseAddress(scenario.pools, { requested: scenario.requested }, isFree, cursor)).toEqual({ kind: 'exhausted' });
    }), { numRuns });
  });
});
