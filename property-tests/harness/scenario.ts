// The fixed world the whole-server model runs in: clients, config variants (all valid) and the addresses that
// commands may name. Small pools on purpose, so exhaustion, reuse and conflicts happen within a few commands.
import { MessageType } from '../../src/codec/types.js';
import { clientKeyOf } from '../../src/router/client-key.js';
import { clientMessage, type ClientSpec } from '../../test/helpers/test-client.js';

export const RELAY = '203.0.113.1';

export interface Client {
  readonly name: string;
  readonly spec: ClientSpec;
  /** Reaches the server through the relay (subnet 2) rather than on lab0 (subnet 1). */
  readonly relayed: boolean;
  /** The server's key for it (option 61 or htype+chaddr), to read the lease book. */
  readonly key: string;
}

function client(name: string, mac: string, relayed: boolean, clientId?: Buffer): Client {
  const spec: ClientSpec = { mac, ...(clientId ? { clientId } : {}), ...(relayed ? { giaddr: RELAY } : {}) };
  return { name, spec, relayed, key: clientKeyOf(clientMessage(spec, MessageType.DISCOVER, { xid: 0 })) };
}

/** c3 holds the reservation; c2 identifies itself by option 61; c4 and c5 are behind the relay. */
export const CLIENTS: readonly Client[] = [
  client('c0', '02:00:5e:10:00:01', false),
  client('c1', '02:00:5e:10:00:02', false),
  client('c2', '02:00:5e:10:00:03', false, Buffer.from([1, 0x02, 0x00, 0x5e, 0x10, 0x00, 0x03])),
  client('c3', '02:00:5e:10:00:10', false),
  client('c4', '02:00:5e:10:00:21', true),
  client('c5', '02:00:5e:10:00:22', true),
];

const RESERVED_MAC = '02:00:5e:10:00:10';

/** One config variant as the scenario states it; the model reads its times from here, not from the compiled config. */
interface VariantSpec {
  readonly pools1: readonly { start: string; end: string }[];
  /** Absent: the relayed subnet (id 2) is removed by this variant. */
  readonly pools2?: readonly { start: string; end: string }[];
  readonly reserved: string;
  readonly lease1: number;
  readonly lease2: number;
  readonly t1?: number;
  readonly t2?: number;
  readonly grace: number;
}

function wire(opts: VariantSpec): object {
  return {
    serverId: '198.51.100.1',
    interfaces: ['lab0'],
    store: { kind: 'memory', path: 'unused' },
    logging: { level: 'silent' },
    offerHoldSeconds: 60,
    expiryGraceSeconds: opts.grace,
    declineProbationSeconds: 3600,
    maxDeclinesPerClient: 1,
    subnets: [
      {
        id: 1, subnet: '198.51.100.0/24', interface: 'lab0', pools: opts.pools1, router: ['198.51.100.1'],
        leaseTime: opts.lease1, authoritative: true,
        ...(opts.t1 !== undefined ? { renewalTime: opts.t1, rebindingTime: opts.t2 } : {}),
        reservations: [{ hwAddress: RESERVED_MAC, address: opts.reserved }],
      },
      ...(opts.pools2 === undefined ? [] : [
        { id: 2, subnet: '203.0.113.0/24', pools: opts.pools2, router: ['203.0.113.1'], leaseTime: opts.lease2 },
      ]),
    ],
  };
}

const range = (start: string, end: string) => ({ start, end });

const SPECS = {
  base: {
    pools1: [range('198.51.100.100', '198.51.100.102')], pools2: [range('203.0.113.100', '203.0.113.101')],
    reserved: '198.51.100.10', lease1: 3600, lease2: 600, grace: 300,
  },
  grown: {
    pools1: [range('198.51.100.100', '198.51.100.104')], pools2: [range('203.0.113.100', '203.0.113.103')],
    reserved: '198.51.100.10', lease1: 7200, lease2: 900, t1: 1000, t2: 5000, grace: 120,
  },
  shrunk: {
    pools1: [range('198.51.100.100', '198.51.100.100'), range('198.51.100.102', '198.51.100.102')],
    pools2: [range('203.0.113.101', '203.0.113.101')], reserved: '198.51.100.101', lease1: 1200, lease2: 600, grace: 300,
  },
  reservedInPool: {
    pools1: [range('198.51.100.100', '198.51.100.102')], pools2: [range('203.0.113.100', '203.0.113.101')],
    reserved: '198.51.100.102', lease1: 1800, lease2: 600, t1: 600, t2: 1200, grace: 300,
  },
  // The relayed subnet is removed (its leases stay in the book until they run out; renewals are NAKed).
  noRelay: {
    pools1: [range('198.51.100.100', '198.51.100.102')], reserved: '198.51.100.10', lease1: 2400, lease2: 600, grace: 60,
  },
} as const satisfies Record<string, VariantSpec>;

export type Variant = keyof typeof SPECS;

/** Each variant is a valid config; switching between them is a reload within validity (pools grow, shrink, a subnet goes). */
export const VARIANTS: Readonly<Record<Variant, object>> = {
  base: wire(SPECS.base), grown: wire(SPECS.grown), shrunk: wire(SPECS.shrunk),
  reservedInPool: wire(SPECS.reservedInPool), noRelay: wire(SPECS.noRelay),
};

/** Lease timing in milliseconds, as a client is told and the lease book must keep it. */
export interface Timing {
  readonly leaseMs: number;
  readonly renewMs: number;
  readonly rebindMs: number;
  readonly graceMs: number;
}

/**
 * The timing the scenario configures for a subnet, worked out here (RFC 2131 §4.4.5 defaults: T1 = 0.5 and
 * T2 = 0.875 x lease, whole seconds) rather than read from the server's compiled config, so a server that gets
 * them wrong (a grace period too long) cannot agree with the model by construction.
 */
export function timingOf(variant: Variant, subnetId: number): Timing {
  const spec: VariantSpec = SPECS[variant];
  const lease = subnetId === 1 ? spec.lease1 : spec.lease2;
  const own = subnetId === 1 && spec.t1 !== undefined;
  const t1 = own ? spec.t1! : Math.floor(lease * 0.5);
  const t2 = own ? spec.t2! : Math.floor(lease * 0.875);
  return { leaseMs: lease * 1000, renewMs: t1 * 1000, rebindMs: t2 * 1000, graceMs: spec.grace * 1000 };
}

/** Every address a command may name: all pools of all variants, the reservations, and one off every subnet. */
export const ADDRESSES: readonly string[] = [
  '198.51.100.10', '198.51.100.100', '198.51.100.101', '198.51.100.102', '198.51.100.103', '198.51.100.104',
  '203.0.113.100', '203.0.113.101', '203.0.113.102', '203.0.113.103', '198.18.0.5',
];

/** Time steps that land before, on and after the offer hold, T1, T2, expiry, grace and probation. */
export const TIME_STEPS: readonly number[] = [
  1_000, 30_000, 60_000, 61_000, 300_000, 600_000, 1_800_000, 3_150_000, 3_600_000, 3_900_000, 7_200_000,
];
