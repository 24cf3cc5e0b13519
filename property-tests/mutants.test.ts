// The properties can fail (issue 6, quality bar): each invariant of the whole-server model is shown to catch a
// deliberately broken server. Mutants are injected without touching production code: module mocks (vi.doMock
// over the real module, changing one function) or a test-only store wrapper. A mutant that survives is a defect
// of the properties.
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../src/clock.js';
import type { Subnet } from '../src/config/types.js';
import type { LeaseStore } from '../src/store/types.js';
import type { Invariant } from './harness/invariants.js';
import { WriteBehindStore } from './mutants/write-behind-store.js';

type Real<T> = () => Promise<T>;
type Allocator = typeof import('../src/allocator/allocator.js');
type Book = typeof import('../src/leases/lease-book.js');
type Policy = typeof import('../src/server/lease-policy.js');
type ReleaseHandlers = typeof import('../src/server/handlers/release.js');
type Persist = typeof import('../src/server/persist.js');
type Renewal = typeof import('../src/server/handlers/renewal.js');
type ConfigModule = typeof import('../src/config/index.js');
type Shields = typeof import('../src/server/probing-offers.js');
type Unreserved = typeof import('../src/server/offer-unreserved.js');
type UnreservedTable = typeof import('../src/server/unreserved-offers.js');
type Win = typeof import('../src/server/handlers/unreserved-win.js');
type Joined = typeof import('../src/server/conflict-check/joined.js');

interface Mutant {
  readonly name: string;
  /** The invariants allowed to report it (the first one broken wins; some bugs break two at once). */
  readonly caughtBy: readonly Invariant[];
  readonly inject?: () => void;
  readonly wrapStore?: (store: LeaseStore) => LeaseStore;
  /** Run against the pressure commands (full pools around the request window) instead of the whole model's. */
  readonly pressure?: boolean;
}

const MUTANTS: readonly Mutant[] = [
  {
    name: 'allocator hands out a requested address even when it is taken',
    caughtBy: ['one-holder', 'no-crash', 'offer-rule', 'probation'],
    inject: () => vi.doMock('../src/allocator/allocator.js', async (original: Real<Allocator>) => {
      const real = await original();
      return { ...real, chooseAddress: ((pools, c, isFree, cursor) => c.requested !== undefined && real.inPools(pools, c.requested)
        ? { kind: 'chosen', ip: c.requested, reason: 'requested' } : real.chooseAddress(pools, c, isFree, cursor)) satisfies Allocator['chooseAddress'] };
    }),
  },
  {
    name: 'lease book forgets that bound leases are taken (allocator returns bound addresses)',
    caughtBy: ['one-holder', 'renew-found'],
    inject: () => mockBook((real) => class extends real.LeaseBook {
      override isTaken(ip: string) { return this.get(ip)?.state === 'bound' ? false : super.isTaken(ip); }
    }),
  },
  {
    name: 'declined addresses are free at once (no probation)',
    caughtBy: ['probation'],
    inject: () => mockBook((real) => class extends real.LeaseBook {
      override isTaken(ip: string) { return this.get(ip)?.state === 'declined' ? false : super.isTaken(ip); }
    }),
  },
  {
    name: 'a new binding does not end the client\'s old one in the subnet',
    caughtBy: ['one-binding'],
    // Only the "every lease of the client" query supersede uses is broken: currentLeaseOf walks the same query and
    // keeps it, or the mutant would break offers too and be caught as something else.
    inject: () => mockBook((real) => class extends real.LeaseBook {
      private choosingCurrent = false;
      override currentLeaseOf(subnetId: number, clientKey: string) {
        this.choosingCurrent = true;
        try {
          return super.currentLeaseOf(subnetId, clientKey);
        } finally {
          this.choosingCurrent = false;
        }
      }
      override leasesOf(subnetId: number, clientKey: string) {
        return this.choosingCurrent ? super.leasesOf(subnetId, clientKey) : [];
      }
    }),
  },
  {
    name: 'next-free runs one address past the end of the pool',
    caughtBy: ['in-pool'],
    inject: () => vi.doMock('../src/allocator/allocator.js', async (original: Real<Allocator>) => {
      const real = await original();
      return { ...real, chooseAddress: ((pools, c, isFree, cursor) =>
        real.chooseAddress(pools.map((p) => ({ start: p.start, end: p.end + 1 })), c, isFree, cursor)) satisfies Allocator['chooseAddress'] };
    }),
  },
  {
    name: 'reservations are ignored when choosing a free address',
    caughtBy: ['reservation', 'offer-rule'],
    inject: () => mockPolicy(() => ({
      isFreeFor: (deps) => (ip) => !deps.book.isTaken([ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.')),
    })),
  },
  {
    name: 'the store acknowledges a write before it is written (write-behind)',
    // A declined address whose write was lost in a crash comes back free: the probation check sees it first.
    caughtBy: ['durable', 'probation'],
    wrapStore: (store) => new WriteBehindStore(store),
  },
  {
    name: 'the server ACKs without waiting for the store to acknowledge the write',
    caughtBy: ['durable'],
    inject: () => vi.doMock('../src/server/persist.js', async (original: Real<Persist>) => {
      const real = await original();
      return { ...real, persist: (async (deps, change) => {
        void real.persist(deps, change);
        return true;
      }) satisfies Persist['persist'] };
    }),
  },
  {
    name: 'RELEASE is acknowledged but the lease is kept',
    caughtBy: ['released-free'],
    inject: () => vi.doMock('../src/server/handlers/release.js', async (original: Real<ReleaseHandlers>) => ({
      ...(await original()), handleRelease: async () => ({ kind: 'accepted' as const }),
    })),
  },
  {
    name: 'the NAK rule is inverted: valid addresses are refused, invalid ones committed',
    caughtBy: ['nak-rule', 'in-pool', 'reservation', 'one-holder', 'offer-rule', 'renew-address', 'renew-ack', 'renew-grace'],
    inject: () => mockPolicy((real) => ({ isAddressValid: (s, ip, mine) => !real.isAddressValid(s, ip, mine) })),
  },
  {
    name: 'the NAK rule is too strict: every RENEWING/REBINDING request is NAKed',
    caughtBy: ['nak-rule', 'renew-ack', 'renew-grace', 'renew-expired', 'renew-subnet', 'renew-address'],
    inject: () => vi.doMock('../src/server/handlers/renewal.js', async (original: Real<Renewal>) => {
      const { nak } = await import('../src/server/handlers/ack-nak.js');
      return { ...(await original()), renewal: (async (deps, input) => nak(deps, input, 'no-lease')) satisfies Renewal['renewal'] };
    }),
  },
  {
    name: 'a DECLINE is answered (with a NAK)',
    caughtBy: ['no-reply'],
    inject: () => vi.doMock('../src/server/handlers/release.js', async (original: Real<ReleaseHandlers>) => {
      const { nak } = await import('../src/server/handlers/ack-nak.js');
      return { ...(await original()), handleDecline: async (deps, input) => nak(deps, input, 'no-lease') } satisfies Partial<ReleaseHandlers>;
    }),
  },
  {
    name: 'T1 and T2 are swapped in replies',
    caughtBy: ['lease-times'],
    inject: () => mockPolicy((real) => ({
      leaseTimesSec: (subnet) => { const t = real.leaseTimesSec(subnet); return { ...t, renewal: t.rebinding, rebinding: t.renewal }; },
    })),
  },
  {
    name: 'the grace period is ten times what is configured (expired addresses come back late)',
    caughtBy: ['expiry-free', 'renew-grace'],
    inject: () => mockPolicy((real) => ({
      commitTimes: (config, subnet, now) => { const t = real.commitTimes(config, subnet, now); return { ...t, graceMs: t.graceMs * 10 }; },
    })),
  },
  // The renewal flow, decision box by decision box (issue 9, item 6): each box's invariant catches its own mutant.
  {
    name: 'lease found? — a renewal takes whatever lease sits at ciaddr for the client\'s',
    caughtBy: ['renew-found'],
    inject: () => mockRenewal((real) => (deps, input, state) => {
      const holder = deps.book.get(input.request.ciaddr);
      return real(deps, holder === undefined ? input : { ...input, clientKey: holder.context.clientKey }, state);
    }),
  },
  {
    name: 'expired? — a released lease is renewed as if it were still bound',
    caughtBy: ['renew-expired'],
    inject: () => mockRenewal((real) => (deps, input, state) => {
      const ip = input.request.ciaddr;
      const lease = deps.book.get(ip);
      if (lease?.state === 'released' && lease.context.clientKey === input.clientKey) {
        const { subnetId, hwAddress } = lease.context;
        deps.book.offer({ ip, subnetId, clientKey: input.clientKey, hwAddress, now: deps.clock.now(), holdMs: 60_000 });
      }
      return real(deps, input, state);
    }),
  },
  {
    name: 'within grace? — an expired lease still in its grace period is NAKed',
    caughtBy: ['renew-grace'],
    inject: () => mockRenewal((real) => async (deps, input, state) => {
      const lease = deps.book.get(input.request.ciaddr);
      if (lease?.state !== 'expired' || lease.context.clientKey !== input.clientKey) return real(deps, input, state);
      const { nak } = await import('../src/server/handlers/ack-nak.js');
      return nak(deps, input, 'expired');
    }),
  },
  {
    name: 'within grace? — the grace period is one second too long (caught only just after it ends)',
    caughtBy: ['expiry-free', 'renew-grace'],
    inject: () => mockPolicy((real) => ({
      commitTimes: (config, subnet, now) => { const t = real.commitTimes(config, subnet, now); return { ...t, graceMs: t.graceMs + 1_000 }; },
    })),
  },
  {
    name: 'within grace? — the config compiler makes the grace period too long (the model does not read it from the server)',
    caughtBy: ['expiry-free', 'renew-grace'],
    inject: () => vi.doMock('../src/config/index.js', async (original: Real<ConfigModule>) => {
      const real = await original();
      return { ...real, parseConfig: ((text, options) => {
        const result = real.parseConfig(text, options);
        return result.ok ? { ...result, config: { ...result.config, expiryGraceMs: result.config.expiryGraceMs * 10 } } : result;
      }) satisfies ConfigModule['parseConfig'] };
    }),
  },
  {
    name: 'subnet still valid? — a renewal still finds the subnet a reload removed',
    caughtBy: ['renew-subnet'],
    inject: () => mockRenewal((real) => async (deps, input, state) => {
      const { compileOnce } = await import('./harness/server-under-test.js');
      const { VARIANTS } = await import('./harness/scenario.js');
      const removed = compileOnce(VARIANTS.base).subnets.filter((old) => !deps.config().subnets.some((s) => s.id === old.id));
      return real({ ...deps, config: () => ({ ...deps.config(), subnets: [...deps.config().subnets, ...removed] }) }, input, state);
    }),
  },
  {
    name: 'address still valid? — a renewal checks the address against the whole subnet, not its pools',
    caughtBy: ['renew-address'],
    inject: () => mockRenewal((real) => (deps, input, state) => {
      const wide = (s: Subnet): Subnet => ({ ...s, pools: [{ start: s.network + 1, end: s.broadcast - 1 }] });
      return real({ ...deps, config: () => ({ ...deps.config(), subnets: deps.config().subnets.map(wide) }) }, input, state);
    }),
  },
  {
    name: 'update lease times — a renewal is ACKed but its lease still runs from the original binding',
    caughtBy: ['renew-ack'],
    inject: () => mockRenewal((real) => (deps, input, state) => {
      const boundAt = deps.book.get(input.request.ciaddr)?.context.boundAt ?? 0;
      if (boundAt === 0) return real(deps, input, state);
      const clock = Object.assign(Object.create(deps.clock) as Clock, { now: () => boundAt });
      return real({ ...deps, clock }, input, state);
    }),
  },
  {
    name: 'offers do not reserve under pressure — a busy pool leaves the DISCOVER unanswered',
    caughtBy: ['offer-rule'],
    pressure: true,
    inject: () => vi.doMock('../src/server/offer-unreserved.js', async (original: Real<Unreserved>) => {
      const { drop } = await import('../src/server/decision.js');
      return { ...(await original()), offerUnreserved: (() => drop('offers-shielded')) satisfies Unreserved['offerUnreserved'] };
    }),
  },
  {
    name: 'offers do not reserve under pressure — an address still in its conflict-check probe is offered unreserved',
    caughtBy: ['offer-rule'],
    pressure: true,
    inject: () => mockShields((real) => class extends real.ProbingOffers {
      override inProbe() { return false; }
    }),
  },
  {
    name: 'a DISCOVER that joined an offer in its probe is answered without waiting for the probe\'s end',
    caughtBy: ['offer-rule'],
    pressure: true,
    inject: () => vi.doMock('../src/server/conflict-check/joined.js', async (original: Real<Joined>) => {
      const { checked } = await import('../src/server/conflict-check/verdict.js');
      const { recordUnreserved } = await import('../src/server/offer-unreserved.js');
      return { ...(await original()), joinedProbe: (async (deps, input, decision) => {
        const { request, clientKey } = input.packet;
        recordUnreserved(deps, { request, clientKey, subnet: decision.subnet! }, decision.ip, 1);
        return checked(decision);
      }) satisfies Joined['joinedProbe'] };
    }),
  },
  {
    name: 'offers do not reserve under pressure — an unreserved offer withdraws the holder\'s offer (reclaims it)',
    caughtBy: ['lease-state', 'nak-rule'],
    pressure: true,
    inject: () => vi.doMock('../src/server/offer-unreserved.js', async (original: Real<Unreserved>) => {
      const real = await original();
      return { ...real, offerUnreserved: ((deps, input, serverId, sent) => {
        const decision = real.offerUnreserved(deps, input, serverId, sent);
        if (decision.kind === 'reply' && decision.ip !== undefined) deps.book.send(decision.ip, { type: 'lease.withdraw', now: deps.clock.now() });
        return decision;
      }) satisfies Unreserved['offerUnreserved'] };
    }),
  },
  {
    name: 'offers do not reserve under pressure — the REQUEST of an unreserved offer wins a bound address too',
    caughtBy: ['nak-rule', 'one-holder', 'one-binding'],
    pressure: true,
    inject: () => vi.doMock('../src/server/handlers/unreserved-win.js', async (original: Real<Win>) => {
      const real = await original();
      return { ...real, winUnreserved: ((deps, input, ip) => real.winUnreserved(deps, input, ip, undefined)) satisfies Win['winUnreserved'] };
    }),
  },
  {
    name: 'offers do not reserve under pressure — an unreserved offer never expires',
    caughtBy: ['nak-rule'],
    pressure: true,
    inject: () => vi.doMock('../src/server/unreserved-offers.js', async (original: Real<UnreservedTable>) => {
      const real = await original();
      return { ...real, UnreservedOffers: class extends real.UnreservedOffers {
        override of(clientKey: string, subnetId: number) { return super.of(clientKey, subnetId, -Infinity); }
      } };
    }),
  },
];

function mockShields(mutate: (real: Shields) => Shields['ProbingOffers']): void {
  vi.doMock('../src/server/probing-offers.js', async (original: Real<Shields>) => {
    const real = await original();
    return { ...real, ProbingOffers: mutate(real) };
  });
}

function mockRenewal(mutate: (real: Renewal['renewal']) => Renewal['renewal']): void {
  vi.doMock('../src/server/handlers/renewal.js', async (original: Real<Renewal>) => {
    const real = await original();
    return { ...real, renewal: mutate(real.renewal) };
  });
}

function mockBook(mutate: (real: Book) => Book['LeaseBook']): void {
  vi.doMock('../src/leases/lease-book.js', async (original: Real<Book>) => {
    const real = await original();
    return { ...real, LeaseBook: mutate(real) };
  });
}

function mockPolicy(mutate: (real: Policy) => Partial<Policy>): void {
  vi.doMock('../src/server/lease-policy.js', async (original: Real<Policy>) => {
    const real = await original();
    return { ...real, ...mutate(real) };
  });
}

const SEED = Number(process.env.MUTANT_SEED ?? 20240601);
const RUNS = 400;

async function check(mutant?: Mutant): Promise<fc.RunDetails<unknown>> {
  vi.resetModules();
  mutant?.inject?.();
  const { serverModelProperty } = await import('./harness/property.js');
  const { pressureArbs } = await import('./harness/arbitraries.js');
  const property = serverModelProperty({
    disk: 'memory', ...(mutant?.wrapStore ? { wrapStore: mutant.wrapStore } : {}), ...(mutant?.pressure ? { arbs: pressureArbs, maxCommands: 12 } : {}),
  });
  // No shrinking: only whether a counterexample exists matters here.
  return fc.check(property, { numRuns: RUNS, seed: SEED, endOnFailure: true }) as Promise<fc.RunDetails<unknown>>;
}

describe('mutants: every invariant catches a broken server', () => {
  afterEach(() => {
    vi.doUnmock('../src/allocator/allocator.js');
    vi.doUnmock('../src/leases/lease-book.js');
    vi.doUnmock('../src/server/lease-policy.js');
    vi.doUnmock('../src/server/handlers/release.js');
    vi.doUnmock('../src/server/persist.js');
    vi.doUnmock('../src/server/handlers/renewal.js');
    vi.doUnmock('../src/config/index.js');
    vi.doUnmock('../src/server/probing-offers.js');
    vi.doUnmock('../src/server/offer-unreserved.js');
    vi.doUnmock('../src/server/unreserved-offers.js');
    vi.doUnmock('../src/server/conflict-check/joined.js');
    vi.doUnmock('../src/server/handlers/unreserved-win.js');
    vi.resetModules();
  });

  it('control: the real server passes the same runs', async () => {
    const details = await check();
    expect(details.failed, String(details.errorInstance)).toBe(false);
  }, 300_000);

  it.each(MUTANTS)('$name', async (mutant) => {
    const details = await check(mutant);
    expect(details.failed, `mutant survived ${details.numRuns} runs`).toBe(true);
    const invariant = (details.errorInstance as { invariant?: Invariant } | null)?.invariant;
    expect(mutant.caughtBy, String(details.errorInstance)).toContain(invariant);
  }, 300_000);
});
