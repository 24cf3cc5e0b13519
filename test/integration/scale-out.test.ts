// Three actor-dhcpd servers on one segment sharing one PostgreSQL database (throwaway cluster), with real busybox
// udhcpc clients on the segment and behind ISC dhcrelay (relaying to all three): one lease per client, the lease
// history shared through the database, a server killed under load, a server cut off from the database, and a
// database restart. Checked by the clients and in the database. Prints the measured failover times.
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MessageType } from '../../src/codec/types.js';
import { controlRequest } from '../../src/control/client.js';
import { LoadBalancer } from '../../src/scaleout/balancer.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';
import { clientMessage } from '../helpers/test-client.js';
import { UdhcpcSession, udhcpc, type LeaseResult } from './harness/clients.js';
import { ensureBuilt, type LogLine } from './harness/daemon.js';
import { cleanupLeftovers, RELAY_GIADDR, teardownAll, type ClientNs } from './harness/netns.js';
import { removeTempDirs, sleep } from './harness/proc.js';
import { createScaleOutLab, LEASE_SECONDS, POOL, query, RELAYED_POOL, type ScaleOutLab, type ServerNode } from './harness/scale-out-lab.js';
import { integrationSkip, inRange } from './harness/suite.js';

const skip = integrationSkip('scale-out.test.ts');
const PEERS = ['s1', 's2', 's3'];
/** Clients started at first; the others are kept for "new client" checks. */
const INITIAL = 9;
const INITIAL_RELAYED = 6;

/** Which server owns a client's RFC 3074 bucket (udhcpc sends client id 01 + MAC). */
function ownerOf(c: ClientNs): string {
  const mac = Buffer.from(c.mac.split(':').map((h) => parseInt(h, 16)));
  const request = clientMessage({ mac: c.mac, clientId: Buffer.concat([Buffer.from([1]), mac]) }, MessageType.DISCOVER);
  const all = { alive: new Set(PEERS), readAt: Date.now() };
  const owner = PEERS.find((self) => new LoadBalancer({ self, peers: PEERS, split: { s1: 1, s2: 1, s3: 1 },
    heartbeatMs: 300, peerTimeoutMs: 1500, maxSecs: 30 }, () => all).verdict(request as never) === 'own-bucket');
  if (owner === undefined) throw new Error(`no owner for ${c.mac}`);
  return owner;
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

describe.skipIf(skip !== undefined)('three servers sharing one PostgreSQL lease database', () => {
  let lab: ScaleOutLab;
  const sessions = new Map<string, UdhcpcSession>();
  /** Every lease a client was ACKed (client ns -> ip): none may be lost, none may be someone else's. */
  const acked = new Map<string, string>();
  const node = (name: string): ServerNode => lab.servers.find((s) => s.name === name)!;
  const byIp = (ip: string | undefined): ServerNode | undefined => lab.servers.find((s) => s.ip === ip);
  /** Each daemon's control API listens next to its config file. */
  const control = (s: ServerNode) => ({ socket: join(dirname(s.configFile), `${s.name}-control.sock`) });

  beforeAll(async () => {
    await cleanupLeftovers();
    await ensureBuilt();
    lab = await createScaleOutLab({ servers: 3, clients: 24, relayedClients: 8 });
    await Promise.all(lab.servers.map((s) => lab.start(s)));
    await everyoneSeesAllPeers();
  }, 240_000);

  /** Until every server's heartbeat view has all three alive (before that, live ones cover the others' buckets). */
  async function everyoneSeesAllPeers(): Promise<void> {
    await Promise.all(lab.servers.map((s) => s.daemon!.waitForEvt('scaleout.peers.changed',
      (l) => Array.isArray(l.alive) && l.alive.length === PEERS.length, 15_000)));
  }

  afterEach((ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    for (const s of lab.servers) console.log(`--- ${s.name} (${s.ip})\n${s.daemon?.output().split('\n').map((l) => l.slice(0, 400)).join('\n')}`);
  });

  afterAll(async () => {
    try {
      await Promise.all([...sessions.values()].map((s) => s.stop()));
      await lab?.destroy();
    } finally {
      await teardownAll();
      removeTempDirs();
    }
  }, 60_000);

  /** In the database: no address twice (the primary key), and no client with two live bindings. */
  async function expectDatabaseConsistent(): Promise<void> {
    const doubled = await query(lab.cluster, `SELECT client_key, count(*) FROM leases
      WHERE NOT deleted AND state IN ('bound','renewing','rebinding') GROUP BY client_key HAVING count(*) > 1`);
    expect(doubled).toEqual([]);
    const rows = await query(lab.cluster, `SELECT host(ip), client_key FROM leases WHERE NOT deleted AND state IN ('bound','renewing','rebinding','expired')`);
    const holder = new Map(rows.map(([ip, key]) => [ip!, key!]));
    // 0 acknowledged leases lost: every address a client was ACKed is still its own in the database.
    for (const [ns, ip] of acked) {
      const c = [...lab.clients, ...lab.relayed].find((x) => x.ns === ns)!;
      expect(holder.get(ip), `${c.mac} holds ${ip}`).toBe(`id:01${c.mac.replaceAll(':', '')}`);
    }
  }

  function recordAck(c: ClientNs, lease: LeaseResult | undefined): void {
    if (lease === undefined) return;
    for (const [ns, ip] of acked) if (ns !== c.ns) expect(ip, `${lease.ip} bound to two clients`).not.toBe(lease.ip);
    acked.set(c.ns, lease.ip);
  }

  it('gives each client exactly one lease, on the segment and behind the relay, DISCOVERs answered by the owner of its bucket', async () => {
    const direct = lab.clients.slice(0, INITIAL);
    const relayed = lab.relayed.slice(0, INITIAL_RELAYED);
    await Promise.all([...direct, ...relayed].map(async (c) => sessions.set(c.ns, await UdhcpcSession.start(c, 30_000))));
    for (const c of [...direct, ...relayed]) {
      const lease = sessions.get(c.ns)!.lease!;
      expect(inRange(lease.ip, c.segment === 'relayed' ? RELAYED_POOL : POOL), `${c.mac} got ${lease.ip}`).toBe(true);
      if (c.segment === 'relayed') expect(lease.router).toBe(RELAY_GIADDR);
      // The relay forwards every DISCOVER to all three: the bucket's owner alone answers, relayed or not.
      expect(byIp(lease.serverId)?.name, `${c.mac}'s server`).toBe(ownerOf(c));
      recordAck(c, lease);
    }
    expect(new Set([...acked.values()]).size).toBe(INITIAL + INITIAL_RELAYED);
    expect(new Set(direct.map(ownerOf)).size).toBeGreaterThan(1);
    expect(new Set(relayed.map(ownerOf)).size).toBeGreaterThan(1);
    await expectDatabaseConsistent();
  }, 90_000);

  it('keeps the lease history in the database: every server\'s control API and /ui show a lease another one bound', async () => {
    const [ns, ip] = [...acked].find(([n]) => lab.relayed.some((c) => c.ns === n))!;
    const client = `id:01${lab.relayed.find((c) => c.ns === ns)!.mac.replaceAll(':', '')}`;
    const binder = byIp(sessions.get(ns)!.lease!.serverId)!;
    for (const s of lab.servers) {
      const lease = (await controlRequest(control(s), `/v1/leases/${ip}`)).json as { lease: { clientKey?: string }; history?: { to: string; clientKey: string }[] };
      expect(lease.history?.map((t) => t.to), `${s.name} (bound by ${binder.name})`).toEqual(expect.arrayContaining(['offered', 'bound']));
      expect(lease.history?.every((t) => t.clientKey === client)).toBe(true);
      const page = (await controlRequest(control(s), `/ui/api/history?ip=${ip}`)).json as { leases: { transitions: { to: string }[] }[] };
      expect(page.leases[0]?.transitions.map((t) => t.to)).toEqual(expect.arrayContaining(['bound']));
    }
    const stored = await query(lab.cluster, `SELECT written_by, transition->>'to' FROM lease_history WHERE ip = '${ip}' ORDER BY id`);
    expect(stored).toContainEqual([binder.name, 'bound']);
  }, 30_000);

  it('kill -9 of a server under load: its clients rebind with another, new clients are served, nothing lost', async () => {
    const counts = PEERS.map((p) => [...sessions.values()].filter((s) => byIp(s.lease?.serverId)?.name === p).length);
    const victim = node(PEERS[counts.indexOf(Math.max(...counts))]!);
    const orphans = [...sessions.values()].filter((s) => s.lease?.serverId === victim.ip);
    expect(orphans.some((o) => o.c.segment === 'relayed'), 'the victim served relayed clients').toBe(true);
    const fresh = [
      ...lab.clients.slice(INITIAL).filter((c) => ownerOf(c) === victim.name).slice(0, 2),
      ...lab.relayed.slice(INITIAL_RELAYED).filter((c) => ownerOf(c) === victim.name).slice(0, 1),
    ];
    expect(fresh.filter((c) => c.segment === 'relayed')).toHaveLength(1);
    const killedAt = Date.now();
    await victim.daemon!.kill();
    // New clients whose bucket was the victim's, from the moment it died: served once the peers see its heartbeat
    // stale. Renewals of the others (every 8 s) keep running meanwhile: the load.
    const newcomers = Promise.all(fresh.map((c) => udhcpc(c, { timeoutMs: 30_000 }).then((lease) => ({ lease, at: Date.now() }))));
    // Each orphan renews at half its lease, finds its server gone, and rebinds (broadcast) with a peer.
    const rebound = await Promise.all(orphans.map((s) => until(`${s.c.mac} rebinds`, () => {
      const lease = s.lease;
      return lease !== undefined && lease.serverId !== victim.ip ? { at: Date.now(), lease } : undefined;
    }, 30_000)));
    for (const [i, s] of orphans.entries()) {
      expect(rebound[i]!.lease.ip).toBe(acked.get(s.c.ns)); // the same address, now renewed by a peer
      recordAck(s.c, rebound[i]!.lease);
    }
    const served = await newcomers;
    const newClientMs = Math.max(...served.map((s) => s.at - killedAt));
    fresh.forEach((c, i) => recordAck(c, served[i]!.lease));
    for (const { lease } of served) expect(byIp(lease.serverId)?.name).not.toBe(victim.name);
    // A survivor's metrics say the same: the victim's heartbeat stale, its buckets served by the survivors.
    const exposition = (await controlRequest(control(lab.servers.find((s) => s !== victim)!), '/metrics')).text;
    expect(await promtoolCheckMetrics(exposition)).toEqual({ code: 0, output: '' });
    expect(exposition).toContain(`actor_dhcpd_scaleout_peer_up{peer="${victim.name}"} 0`);
    const buckets = (kind: string) => Number(new RegExp(`actor_dhcpd_scaleout_buckets\\{kind="${kind}"\\} (\\d+)`).exec(exposition)?.[1]);
    expect(buckets('served')).toBeGreaterThan(buckets('owned'));
    expect(exposition).toMatch(/actor_dhcpd_store_commit_batch_writes_count [1-9]/);
    expect(exposition).toContain('actor_dhcpd_store_db_listening 1');
    const failoverMs = Math.max(...rebound.map((r) => r.at - killedAt));
    const relayedMs = Math.max(...rebound.filter((_, i) => orphans[i]!.c.segment === 'relayed').map((r) => r.at - killedAt));
    console.log(`[scale-out] failover after kill -9: ${orphans.length} clients of the dead server all rebound with a peer ` +
      `within ${failoverMs} ms (relayed ones within ${relayedMs} ms; lease ${LEASE_SECONDS} s: renewal at half of it); ` +
      `new clients of its buckets (on the segment and relayed) served ${newClientMs} ms after the kill`);
    expect(newClientMs).toBeLessThan(20_000);
    await expectDatabaseConsistent();
    await lab.start(victim); // back for the next tests
    await sleep(2_000); // its peers see its heartbeat again
  }, 120_000);

  it('a server cut off from the database grants nothing new, its peers take over, and it recovers', async () => {
    const cut = node('s2');
    const daemon = cut.daemon!;
    const boundBefore = daemon.logs.filter((l) => l.evt === 'lease.bound').length;
    await cut.link.cut();
    const cutAt = Date.now();
    await daemon.waitForEvt('scaleout.heartbeat.failed', undefined, 10_000);
    // Its own clients' renewals now fail to commit: no ACK, store.unwritable logged.
    await daemon.waitForEvt('store.unwritable', undefined, 20_000);
    const newcomer = lab.clients.slice(INITIAL).find((c) => ownerOf(c) === 's2' && !acked.has(c.ns))!;
    const lease = await udhcpc(newcomer, { timeoutMs: 30_000 });
    recordAck(newcomer, lease);
    expect(byIp(lease.serverId)?.name).not.toBe('s2');
    expect(daemon.logs.filter((l) => l.evt === 'lease.bound').length).toBe(boundBefore);
    console.log(`[scale-out] client of a cut-off server served by ${byIp(lease.serverId)?.name} ${Date.now() - cutAt} ms after the cut`);
    await cut.link.restore();
    await daemon.waitForEvt('scaleout.heartbeat.resumed', undefined, 15_000);
    const next = lab.clients.slice(INITIAL).find((c) => ownerOf(c) === 's2' && !acked.has(c.ns))!;
    await sleep(2_000); // the peers see s2 alive again and hand its buckets back
    const back = await udhcpc(next, { timeoutMs: 30_000 });
    recordAck(next, back);
    expect(byIp(back.serverId)?.name).toBe('s2');
    await daemon.waitForEvt('store.writable', undefined, 15_000);
    await expectDatabaseConsistent();
  }, 120_000);

  it('a database restart under load: no ACK while it is down, service resumes by itself, nothing lost', async () => {
    const ackedBefore = lab.servers.map((s) => s.daemon!.logs.length);
    await lab.cluster.stop('fast');
    const downAt = Date.now();
    await sleep(4_000);
    const during = lab.servers.flatMap((s, i) => s.daemon!.logs.slice(ackedBefore[i]).filter((l: LogLine) =>
      (l.evt === 'lease.bound' || l.evt === 'lease.renewed') && Number(l.time) > downAt + 500));
    expect(during).toEqual([]);
    await lab.cluster.start();
    const upAt = Date.now();
    const newcomer = lab.clients.slice(INITIAL).find((c) => !acked.has(c.ns))!;
    const lease = await udhcpc(newcomer, { timeoutMs: 40_000 });
    recordAck(newcomer, lease);
    console.log(`[scale-out] first new lease ${Date.now() - upAt} ms after the database came back`);
    // Every running client renews again (its lease stays its own).
    const renewedAfter = Date.now();
    await Promise.all([...sessions.values()].map((s) => until(`${s.c.mac} renews after the restart`, () => {
      const events = s.events();
      return events.length > 0 && events[events.length - 1] === 'renew' && Date.now() - renewedAfter > 8_000 ? true : undefined;
    }, 40_000)));
    for (const s of sessions.values()) expect(s.lease?.ip).toBe(acked.get(s.c.ns));
    for (const s of lab.servers) expect(s.daemon!.logs.some((l) => l.evt === 'supervisor.escalated')).toBe(false);
    await expectDatabaseConsistent();
  }, 150_000);
});
