// A lab for several servers on one segment sharing one PostgreSQL database: a hub namespace holds the bridge,
// each server and each client has its own namespace with a veth into it. Each server reaches the throwaway
// cluster through its own UNIX-socket relay, which a test can cut (the server's link to the database down).
// Optionally a router on the segment runs ISC dhcrelay for clients on a second subnet, forwarding to every
// server as operators configure it.
import { rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { startPgCluster, type PgCluster } from '../../helpers/pg-cluster.js';
import { CLI, Daemon, daemonCommand, type DhcpServer } from './daemon.js';
import { addBridge, addClient, addNamespace, deleteNamespace, RELAY_GIADDR, RELAY_SUBNET, type ClientNs } from './netns.js';
import { exec, Proc, run, tempDir } from './proc.js';

export const SUBNET = '198.51.100.0/24';
export const POOL = { start: '198.51.100.100', end: '198.51.100.199' } as const;
/** The relayed clients' subnet is 203.0.113.0/24, its router (and dhcrelay's giaddr) 203.0.113.1. */
export const RELAYED_POOL = { start: '203.0.113.100', end: '203.0.113.199' } as const;
/** The relay's address on the servers' segment. */
const RELAY_UPLINK = '198.51.100.250';
/** busybox udhcpc renews at half the lease whatever T1 says: 8 s, so renewals are steady load. */
export const LEASE_SECONDS = 16;
const HUB_BRIDGE = 'lab0';

export interface ServerNode {
  readonly name: string;
  readonly ns: string;
  readonly iface: string;
  readonly ip: string;
  readonly link: DbLink;
  readonly configFile: string;
  daemon?: DhcpServer;
}

export interface ScaleOutLab {
  readonly servers: readonly ServerNode[];
  readonly clients: readonly ClientNs[];
  /** Clients behind the relay (empty without `relayedClients`). */
  readonly relayed: readonly ClientNs[];
  readonly cluster: PgCluster;
  start(node: ServerNode): Promise<DhcpServer>;
  destroy(): Promise<void>;
}

export interface ScaleOutLabSpec {
  readonly servers: number;
  readonly clients: number;
  /** Clients behind a dhcrelay that forwards to every server. */
  readonly relayedClients?: number;
  /** Edits each server's config (lease times, scaleOut timings). */
  readonly configure?: (config: Record<string, unknown>, node: { name: string; ip: string; iface: string }) => void;
}

/** A UNIX-socket relay to the cluster: cut() drops every connection and refuses new ones, restore() undoes it. */
export class DbLink {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(readonly dir: string, private readonly target: string) {}

  async restore(): Promise<void> {
    if (this.server !== undefined) return;
    rmSync(this.path, { force: true });
    const server = createServer((client) => {
      const upstream = createConnection(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.path, resolve));
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(this.path, { force: true });
  }

  private get path(): string {
    return join(this.dir, '.s.PGSQL.5432');
  }
}

export async function createScaleOutLab(spec: ScaleOutLabSpec): Promise<ScaleOutLab> {
  const id = `${process.pid}-${Math.random().toString(16).slice(2, 6)}`;
  const short = id.split('-')[1] as string;
  const base = `adt-${id}`;
  const hub = `${base}-hub`;
  const created: string[] = [];
  const links: DbLink[] = [];
  let cluster: PgCluster | undefined;
  const servers: ServerNode[] = [];
  const clients: ClientNs[] = [];
  const relayed: ClientNs[] = [];
  let relay: Proc | undefined;
  const destroy = async (): Promise<void> => {
    await Promise.all(servers.map((s) => s.daemon?.kill()));
    await relay?.stop('SIGKILL', 1_000);
    for (const link of links) await link.cut();
    for (const ns of created.reverse()) await deleteNamespace(ns);
    await cluster?.destroy();
  };
  try {
    cluster = await startPgCluster();
    await addNamespace(hub);
    created.push(hub);
    await addBridge(hub, HUB_BRIDGE, '198.51.100.254/24');
    for (let i = 0; i < spec.servers; i++) {
      const name = `s${i + 1}`;
      const node: ClientNs = { ns: `${base}-${name}`, iface: `adt-${short}-s${i + 1}`, mac: `02:00:5e:20:00:${(i + 1).toString(16).padStart(2, '0')}`, segment: 'direct' };
      created.push(node.ns);
      await addClient(hub, HUB_BRIDGE, `adt-q${i + 1}`, node);
      const ip = `198.51.100.${i + 1}`;
      await exec('ip', ['-n', node.ns, 'addr', 'add', `${ip}/24`, 'dev', node.iface]);
      const linkDir = tempDir(`dblink-${name}`);
      const link = new DbLink(linkDir, join(cluster.socketDir, '.s.PGSQL.5432'));
      links.push(link);
      await link.restore();
      const configFile = join(tempDir('cfg'), `${name}.json`);
      servers.push({ name, ns: node.ns, iface: node.iface, ip, link, configFile });
    }
    const peers = servers.map((s) => s.name);
    for (const s of servers) writeFileSync(s.configFile, JSON.stringify(serverConfig(s, peers, cluster, spec), null, 2));
    for (let i = 0; i < spec.clients; i++) {
      const c: ClientNs = { ns: `${base}-c${i + 1}`, iface: `adt-${short}-c${i + 1}`, mac: `02:00:5e:10:00:${(i + 1).toString(16).padStart(2, '0')}`, segment: 'direct' };
      created.push(c.ns);
      await addClient(hub, HUB_BRIDGE, `adt-p${i + 1}`, c);
      clients.push(c);
    }
    if ((spec.relayedClients ?? 0) > 0) {
      const rns = `${base}-rly`;
      created.push(rns);
      for (let i = 0; i < spec.relayedClients!; i++) {
        relayed.push({ ns: `${base}-r${i + 1}`, iface: `adt-${short}-r${i + 1}`, mac: `02:00:5e:10:01:${(i + 1).toString(16).padStart(2, '0')}`, segment: 'relayed' });
      }
      created.push(...relayed.map((c) => c.ns));
      relay = await buildRelay(hub, rns, `adt-${short}-ru`, servers, relayed);
    }
    const migrate = await exec(process.execPath, [CLI, 'migrate', '--config', servers[0]!.configFile], { timeoutMs: 30_000 });
    if (migrate.code !== 0) throw new Error(`migrate failed: ${migrate.stderr}${migrate.stdout}`);
  } catch (error) {
    await destroy();
    throw error;
  }
  const start = async (node: ServerNode): Promise<DhcpServer> => {
    const proc = new Proc(`actor-dhcpd ${node.name}`, 'ip', ['netns', 'exec', node.ns, ...daemonCommand(), '--config', node.configFile]);
    const daemon = new Daemon(proc);
    node.daemon = daemon;
    await daemon.waitForEvt('server.ready', undefined, 45_000);
    return daemon;
  };
  return { servers, clients, relayed, cluster: cluster!, start, destroy };
}

/**
 * The relay router: a namespace with an uplink on the hub bridge and a bridge of its own for the relayed clients;
 * each server routes the relayed subnet through it, each relayed client has it as default gateway (the clients'
 * hook configures only the address). dhcrelay relays every client broadcast to all servers.
 */
async function buildRelay(hub: string, rns: string, uplink: string, servers: readonly ServerNode[], clients: readonly ClientNs[]): Promise<Proc> {
  await addClient(hub, HUB_BRIDGE, 'adt-qr', { ns: rns, iface: uplink, mac: '02:00:5e:20:00:fe', segment: 'direct' });
  await exec('ip', ['-n', rns, 'addr', 'add', `${RELAY_UPLINK}/24`, 'dev', uplink]);
  await addBridge(rns, 'adt-rbr', `${RELAY_GIADDR}/24`);
  await run('ip', ['netns', 'exec', rns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  for (const s of servers) await run('ip', ['-n', s.ns, 'route', 'add', RELAY_SUBNET, 'via', RELAY_UPLINK]);
  for (const [i, c] of clients.entries()) {
    await addClient(rns, 'adt-rbr', `adt-r${i + 1}`, c);
    // onlink: valid before the client has an address, and kept when its hook flushes and re-adds it.
    await run('ip', ['-n', c.ns, 'route', 'add', 'default', 'via', RELAY_GIADDR, 'dev', c.iface, 'onlink']);
  }
  const proc = new Proc('dhcrelay', 'ip', ['netns', 'exec', rns, 'dhcrelay', '-4', '-d', '-id', 'adt-rbr', '-iu', uplink,
    ...servers.map((s) => s.ip)]);
  await proc.waitForLine((l) => l.includes('Sending on') && l.includes(uplink), 10_000);
  return proc;
}

function serverConfig(node: ServerNode, peers: readonly string[], cluster: PgCluster, spec: ScaleOutLabSpec): Record<string, unknown> {
  const config: Record<string, unknown> = {
    serverId: node.ip,
    interfaces: [node.iface],
    store: {
      kind: 'postgres',
      postgres: { ...cluster.storeConfig(), host: node.link.dir, connectTimeoutMs: 1000, statementTimeoutMs: 2000, pollIntervalMs: 1000 },
    },
    scaleOut: { self: node.name, peers, heartbeatMs: 500, peerTimeoutMs: 3000, maxSecs: 30 },
    logging: { level: 'info' },
    // Three daemons on one host: each its own control socket (relative: next to its config file).
    control: { socket: `${node.name}-control.sock` },
    subnets: [
      { subnet: SUBNET, interface: node.iface, pools: [POOL], router: [node.ip], leaseTime: LEASE_SECONDS },
      // Behind the relay: chosen by giaddr.
      { subnet: RELAY_SUBNET, pools: [RELAYED_POOL], router: [RELAY_GIADDR], leaseTime: LEASE_SECONDS },
    ],
  };
  spec.configure?.(config, node);
  return config;
}

/** psql on the lab's database: rows as arrays of columns. */
export async function query(cluster: PgCluster, sql: string): Promise<string[][]> {
  const out = await cluster.psql(sql);
  return out.split('\n').filter(Boolean).map((l) => l.split('|'));
}
