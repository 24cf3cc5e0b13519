// Random valid configs for the reload command: the scenario's two subnets (ids 1 and 2, as the model's clients
// need them) with random pools, reservations (by MAC or client identifier, inside or outside the pools), lease
// times, grace, offer hold, options, authority and limits, and sometimes a third subnet added.
// Every one compiles.
import fc from 'fast-check';
import { CLIENTS, RELAY, type Timing } from './scenario.js';

const NET1 = '198.51.100';
const NET2 = '203.0.113';

/** Host numbers → "a-b" ranges of consecutive runs, e.g. [100,101,103] → ["…100-…101", "…103-…103"]. */
function ranges(net: string, hosts: readonly number[]): string[] {
  const sorted = [...new Set(hosts)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push(`${net}.${sorted[i]}-${net}.${sorted[j]}`);
    i = j + 1;
  }
  return out;
}

const client = (name: string) => CLIENTS.find((c) => c.name === name)!;

/** By MAC, or (for the client that sends one) by its option 61. */
function reservation(name: string, address: string, byId: boolean): object {
  const c = client(name);
  return byId && c.spec.clientId !== undefined
    ? { clientId: c.spec.clientId.toString('hex'), address }
    : { hwAddress: c.spec.mac, address };
}

const reservationsArb = (names: string[], net: string, hosts: number[], max: number) =>
  fc.uniqueArray(fc.tuple(fc.constantFrom(...names), fc.constantFrom(...hosts), fc.boolean()), {
    maxLength: max,
    selector: ([name]) => name,
  }).map((list) => {
    const used = new Set<number>();
    // Two reservations may not share an address: a later one on a taken address is left out.
    return list.filter(([, host]) => !used.has(host) && used.add(host)).map(([name, host, byId]) => reservation(name, `${net}.${host}`, byId));
  });

const timesArb = (leases: number[]) =>
  fc.record({ leaseTime: fc.constantFrom(...leases), split: fc.boolean() }).map(({ leaseTime, split }) => ({
    leaseTime,
    ...(split ? { renewalTime: leaseTime / 4, rebindingTime: (leaseTime * 3) / 4 } : {}),
  }));

interface WireSubnet {
  readonly id: number;
  readonly leaseTime: number;
  readonly renewalTime?: number;
  readonly rebindingTime?: number;
}

/**
 * A generated config's timing, worked out from the file as the scenario's is (RFC 2131 §4.4.5 defaults: T1 = 0.5
 * and T2 = 0.875 x lease, whole seconds), never read back from the server's compiled config.
 */
export function timingOfWire(wire: object): (subnetId: number) => Timing {
  const { subnets, expiryGraceSeconds } = wire as { subnets: WireSubnet[]; expiryGraceSeconds: number };
  return (subnetId) => {
    const s = subnets.find((x) => x.id === subnetId);
    if (s === undefined) throw new TypeError(`no subnet ${subnetId} in the generated config`);
    const t1 = s.renewalTime ?? Math.floor(s.leaseTime * 0.5);
    const t2 = s.rebindingTime ?? Math.floor(s.leaseTime * 0.875);
    return { leaseMs: s.leaseTime * 1000, renewMs: t1 * 1000, rebindMs: t2 * 1000, graceMs: expiryGraceSeconds * 1000 };
  };
}

export const configArb: fc.Arbitrary<object> = fc
  .record({
    pools1: fc.subarray([100, 101, 102, 103, 104]),
    pools2: fc.subarray([100, 101, 102, 103]),
    reserved1: reservationsArb(['c0', 'c1', 'c2', 'c3'], NET1, [10, 50, 100, 101, 102, 103, 104], 2),
    reserved2: reservationsArb(['c4', 'c5'], NET2, [50, 100, 101, 102, 103], 1),
    times1: timesArb([600, 1200, 3600, 7200]),
    times2: timesArb([300, 600, 900]),
    grace: fc.constantFrom(0, 120, 300),
    hold: fc.constantFrom(30, 60, 120),
    // The default, none, and one a 1 s time step lands on the end of.
    router1: fc.constantFrom(`${NET1}.1`, `${NET1}.254`),
    dns: fc.option(fc.constant([`${NET1}.1`]), { nil: undefined }),
    authoritative: fc.tuple(fc.boolean(), fc.boolean()),
    third: fc.boolean(),
    queue: fc.constantFrom(4, 8),
  })
  .map((r) => ({
    serverId: `${NET1}.1`,
    interfaces: ['lab0'],
    store: { kind: 'memory', path: 'unused' },
    logging: { level: 'silent' },
    offerHoldSeconds: r.hold,
    expiryGraceSeconds: r.grace,
    declineProbationSeconds: 3600,
    maxDeclinesPerClient: 1,
    limits: { maxQueuePerClient: r.queue },
    subnets: [
      {
        id: 1, subnet: `${NET1}.0/24`, interface: 'lab0', pools: ranges(NET1, r.pools1), router: [r.router1],
        ...(r.dns ? { dnsServers: r.dns } : {}), ...r.times1, authoritative: r.authoritative[0], reservations: r.reserved1,
      },
      { id: 2, subnet: `${NET2}.0/24`, pools: ranges(NET2, r.pools2), router: [RELAY], ...r.times2, authoritative: r.authoritative[1], reservations: r.reserved2 },
      // A subnet no client is on, holding the address commands name as "off every subnet": added and removed.
      ...(r.third ? [{ id: 3, subnet: '198.18.0.0/24', pools: ['198.18.0.5-198.18.0.6'], leaseTime: 600 }] : []),
    ],
  }));
