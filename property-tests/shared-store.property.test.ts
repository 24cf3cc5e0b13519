// Two servers, one PostgreSQL lease database (issue 14): generated, interleaved DISCOVER / SELECTING REQUEST /
// REBINDING REQUEST / RELEASE / time from six clients to either server, with pairs of requests racing each other
// on both servers at once. Invariant after every command: no address is bound to two clients — neither in what
// the clients were ACKed nor in the database — and every lease a client holds by an ACK is its own in the
// database. Both servers answer every client (no load balancing): the most contention the database must decide.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageType } from '../src/codec/types.js';
import { startPgCluster, type PgCluster } from '../test/helpers/pg-cluster.js';
import { runSettings } from './harness/property.js';
import { SERVER_IDS, TwoServers, clientMessage, clientSpec, isAck, isOffer } from './harness/two-servers.js';

const RUNS = Math.max(4, Math.ceil(Number(process.env.PROPERTY_RUNS ?? 300) / 30));
const CLIENTS = 6;

/** What the clients believe: the lease each was ACKed (ip, until when), and the offers each holds. */
class Clients {
  readonly held = new Map<number, { ip: string; until: number }>();
  readonly offers = new Map<number, { ip: string; server: number }>();

  holders(now: number): Map<string, number[]> {
    const byIp = new Map<string, number[]>();
    for (const [client, lease] of this.held) {
      if (lease.until <= now) continue;
      byIp.set(lease.ip, [...(byIp.get(lease.ip) ?? []), client]);
    }
    return byIp;
  }
}

interface World {
  readonly servers: TwoServers;
  readonly clients: Clients;
}

type Step = (world: World) => Promise<void>;

const leaseUntil = (world: World, ack: { options: readonly { code: number; data: Buffer }[] }): number => {
  const lease = ack.options.find((o) => o.code === 51)?.data.readUInt32BE(0) ?? 0;
  return world.servers.now() + lease * 1000;
};

function discover(client: number, server: number): Step {
  return async ({ servers, clients }) => {
    const offer = await servers.exchange(server, clientMessage(clientSpec(client), MessageType.DISCOVER), true);
    if (isOffer(offer)) clients.offers.set(client, { ip: offer.yiaddr, server });
  };
}

async function select(world: World, client: number): Promise<void> {
  const offer = world.clients.offers.get(client);
  if (offer === undefined) return;
  world.clients.offers.delete(client);
  const request = clientMessage(clientSpec(client), MessageType.REQUEST, { requested: offer.ip, serverId: SERVER_IDS[offer.server] });
  // A SELECTING request is broadcast: both servers hear it, the one it names answers.
  const replies = await Promise.all([0, 1].map((s) => world.servers.exchange(s, { ...request }, true)));
  for (const reply of replies) if (isAck(reply)) world.clients.held.set(client, { ip: reply.yiaddr, until: leaseUntil(world, reply) });
}

/** Two clients' SELECTING requests racing, typically for the same address offered by both servers. */
function racingSelects(a: number, b: number): Step {
  return (world) => Promise.all([select(world, a), a === b ? undefined : select(world, b)]).then(() => undefined);
}

/** RFC 2131 §4.4.5 REBINDING: broadcast, ciaddr set, no server id; both servers may answer. */
function rebind(client: number): Step {
  return async (world) => {
    const lease = world.clients.held.get(client);
    if (lease === undefined) return;
    const request = clientMessage(clientSpec(client), MessageType.REQUEST, { ciaddr: lease.ip });
    const replies = await Promise.all([0, 1].map((s) => world.servers.exchange(s, { ...request }, true)));
    for (const reply of replies) if (isAck(reply)) world.clients.held.set(client, { ip: reply.yiaddr, until: leaseUntil(world, reply) });
  };
}

function release(client: number, server: number): Step {
  return async (world) => {
    const lease = world.clients.held.get(client);
    if (lease === undefined) return;
    world.clients.held.delete(client);
    await world.servers.exchange(server, clientMessage(clientSpec(client), MessageType.RELEASE, { ciaddr: lease.ip, serverId: SERVER_IDS[server] }), false);
  };
}

function advance(seconds: number): Step {
  return async ({ servers }) => {
    servers.advance(seconds * 1000);
    await new Promise((r) => setTimeout(r, 20)); // timer writes commit, the change feeds deliver
  };
}

async function checkInvariants({ servers, clients }: World): Promise<void> {
  const now = servers.now();
  for (const [ip, holders] of clients.holders(now)) expect(holders, `${ip} ACKed to clients ${holders.join(', ')}`).toHaveLength(1);
  // The primary key keeps one row per address; what is checked is that the row is the ACKed client's.
  const rows = await servers.liveRows();
  for (const [client, lease] of clients.held) {
    if (lease.until <= now) continue;
    const row = rows.find((r) => r.ip === lease.ip);
    expect(row?.clientKey, `client ${client}'s ACKed ${lease.ip} is its own in the database`).toBe(`hw:1:${clientSpec(client).mac}`);
  }
}

const client = fc.integer({ min: 0, max: CLIENTS - 1 });
const server = fc.integer({ min: 0, max: 1 });
const steps: fc.Arbitrary<{ name: string; step: Step }> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(client, server).map(([c, s]) => ({ name: `discover(${c}@${s})`, step: discover(c, s) })) },
  { weight: 4, arbitrary: fc.tuple(client, client).map(([a, b]) => ({ name: `selects(${a},${b})`, step: racingSelects(a, b) })) },
  { weight: 2, arbitrary: client.map((c) => ({ name: `rebind(${c})`, step: rebind(c) })) },
  { weight: 1, arbitrary: fc.tuple(client, server).map(([c, s]) => ({ name: `release(${c}@${s})`, step: release(c, s) })) },
  { weight: 1, arbitrary: fc.constantFrom(30, 1800, 3200, 3700).map((s) => ({ name: `advance(${s}s)`, step: advance(s) })) },
);

describe('two servers sharing one PostgreSQL lease database', () => {
  let cluster: PgCluster;
  beforeAll(async () => {
    cluster = await startPgCluster({ durable: false });
  }, 120_000);
  afterAll(async () => cluster?.destroy(), 60_000);

  it('never binds an address to two clients, and every ACKed lease is in the database', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(steps, { minLength: 4, maxLength: 18 }), async (list) => {
        const world: World = { servers: await TwoServers.start(cluster), clients: new Clients() };
        try {
          for (const { step } of list) {
            await step(world);
            await checkInvariants(world);
          }
        } finally {
          await world.servers.dispose();
        }
      }),
      runSettings(RUNS) as unknown as fc.Parameters<[{ name: string; step: Step }[]]>,
    );
  }, 1_800_000);
});
