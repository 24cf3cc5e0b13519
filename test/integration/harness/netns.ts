// Isolated lab topology for integration tests: server, relay and client network namespaces joined by veth pairs.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { exec, run, Proc, killAllProcs, sleep } from './proc.js';
import { processAlive } from '../../../src/process-alive.js';

/*
 * Topology (every link is created inside a namespace we own; the host's interfaces are never touched):
 *
 *   client ns ─ adt-<run>-<n> ──veth── adt-p<n> ┐
 *                                              lab0 (bridge, 198.51.100.1/24)   server ns
 *   client ns ─ ... ───────────────────────────┘  adt-tr0 198.18.0.1/15 ──veth── adt-tr1 198.18.0.2/15   relay ns
 *                                                                        adt-rbr (bridge, 203.0.113.1/24, dhcrelay)
 *   client ns ─ adt-<run>-<n> ──veth── adt-r<n> ──────────────────────── ┘
 *
 * Namespace names are adt-<pid>-<run>-<role>: the pid lets cleanupLeftovers() remove what a dead run left
 * without touching a run still alive in another process.
 */

export const SERVER_ADDRESS = '198.51.100.1';
export const DIRECT_SUBNET = '198.51.100.0/24';
export const RELAY_SUBNET = '203.0.113.0/24';
export const RELAY_GIADDR = '203.0.113.1';
export const TRANSIT_SERVER = '198.18.0.1';
export const TRANSIT_RELAY = '198.18.0.2';
export const BRIDGE = 'lab0';
export const TRANSIT_IF = 'adt-tr0';

const PREFIX = 'adt-';

export interface ClientSpec {
  /** Locally administered MAC (02:…); defaults to 02:00:5e:10:<segment>:<n>. */
  readonly mac?: string;
}

export interface LabSpec {
  readonly direct?: readonly ClientSpec[];
  readonly relayed?: readonly ClientSpec[];
}

export interface ClientNs {
  readonly ns: string;
  readonly iface: string;
  readonly mac: string;
  readonly segment: 'direct' | 'relayed';
}

export interface Lab {
  readonly id: string;
  readonly server: string;
  readonly relay?: string;
  readonly direct: readonly ClientNs[];
  readonly relayed: readonly ClientNs[];
  /** The server namespace's interfaces a server should listen on. */
  readonly serverInterfaces: readonly string[];
  destroy(): Promise<void>;
}

export const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** Why integration tests cannot run here, or undefined when they can. */
export function skipReason(): string | undefined {
  if (process.platform !== 'linux') return 'integration tests need Linux network namespaces';
  if (!isRoot()) return 'integration tests need root (network namespaces); run them as root';
  return undefined;
}

const ipCmd = (...args: string[]): Promise<string> => run('ip', args, { timeoutMs: 10_000 });

export async function listNamespaces(): Promise<string[]> {
  const out = await exec('ip', ['netns', 'list'], { timeoutMs: 5_000 });
  return out.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n.startsWith(PREFIX));
}

/** Kills every process inside ns (by PID, from `ip netns pids`) and deletes it. */
export async function deleteNamespace(ns: string): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const pids = (await exec('ip', ['netns', 'pids', ns], { timeoutMs: 5_000 })).stdout
      .split('\n')
      .map((s) => Number.parseInt(s, 10))
      .filter((p) => Number.isInteger(p) && p > 1 && p !== process.pid);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone: nothing to kill.
      }
    }
    await sleep(100);
  }
  // Deleting the name drops the last reference; the veth pairs inside vanish with the namespace.
  await exec('ip', ['netns', 'del', ns], { timeoutMs: 5_000 });
}

/** Removes namespaces left by dead runs (or by this process when mine=true) and stale dhcpcd lease files. */
export async function cleanupLeftovers(mine = false): Promise<void> {
  let otherRunAlive = false;
  for (const ns of await listNamespaces()) {
    const owner = Number.parseInt(ns.split('-')[1] ?? '', 10);
    const ours = owner === process.pid;
    const alive = Number.isInteger(owner) && processAlive(owner);
    if (!ours && alive) otherRunAlive = true;
    if ((ours && mine) || (!ours && !alive)) await deleteNamespace(ns);
  }
  // dhcpcd keeps <iface>.lease on the host filesystem; our client interfaces are all named adt-*. Interface names
  // are too short to carry the run's pid, so the files go only while no other run is alive.
  const dir = '/var/lib/dhcpcd';
  if (existsSync(dir) && !otherRunAlive) {
    for (const f of readdirSync(dir)) if (f.startsWith(PREFIX)) rmSync(`${dir}/${f}`, { force: true });
  }
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

export async function addNamespace(ns: string): Promise<void> {
  await ipCmd('netns', 'add', ns);
  await ipCmd('-n', ns, 'link', 'set', 'lo', 'up');
}

export async function addBridge(ns: string, name: string, cidr: string): Promise<void> {
  await ipCmd('-n', ns, 'link', 'add', name, 'type', 'bridge', 'forward_delay', '0', 'stp_state', '0');
  await ipCmd('-n', ns, 'addr', 'add', cidr, 'dev', name);
  await ipCmd('-n', ns, 'link', 'set', name, 'up');
}

/** A client namespace whose interface is a veth into `hubNs`, enslaved to `bridge` there. */
export async function addClient(hubNs: string, bridge: string, port: string, c: ClientNs): Promise<void> {
  await addNamespace(c.ns);
  // Created inside the hub namespace with its peer placed straight into the client namespace.
  await ipCmd('-n', hubNs, 'link', 'add', port, 'type', 'veth', 'peer', 'name', c.iface, 'netns', c.ns);
  await ipCmd('-n', hubNs, 'link', 'set', port, 'master', bridge);
  await ipCmd('-n', hubNs, 'link', 'set', port, 'up');
  await ipCmd('-n', c.ns, 'link', 'set', c.iface, 'address', c.mac);
  await ipCmd('-n', c.ns, 'link', 'set', c.iface, 'up');
}

/** Builds the lab; on any failure it removes what it created before rethrowing. */
export async function createLab(spec: LabSpec): Promise<Lab> {
  const id = `${process.pid}-${Math.random().toString(16).slice(2, 6)}`;
  const short = id.split('-')[1] as string;
  const base = `${PREFIX}${id}`;
  const server = `${base}-srv`;
  const relay = (spec.relayed?.length ?? 0) > 0 ? `${base}-rly` : undefined;
  const mk = (seg: 'direct' | 'relayed', s: ClientSpec, i: number, g: number): ClientNs => ({
    ns: `${base}-${seg === 'direct' ? 'c' : 'r'}${i + 1}`,
    iface: `${PREFIX}${short}-${g}${i + 1}`,
    mac: s.mac ?? `02:00:5e:10:${hex2(g)}:${hex2(i + 1)}`,
    segment: seg,
  });
  const direct = (spec.direct ?? []).map((s, i) => mk('direct', s, i, 0));
  const relayed = (spec.relayed ?? []).map((s, i) => mk('relayed', s, i, 1));
  const created: string[] = [];
  const procs: Proc[] = [];
  const destroy = async (): Promise<void> => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL', 1_000)));
    for (const ns of created.reverse()) await deleteNamespace(ns);
    for (const c of [...direct, ...relayed]) rmSync(`/var/lib/dhcpcd/${c.iface}.lease`, { force: true });
  };
  try {
    await addNamespace(server);
    created.push(server);
    await addBridge(server, BRIDGE, `${SERVER_ADDRESS}/24`);
    for (const [i, c] of direct.entries()) {
      created.push(c.ns);
      await addClient(server, BRIDGE, `adt-p${i + 1}`, c);
    }
    if (relay !== undefined) {
      created.push(relay);
      await buildRelay(server, relay, relayed, created);
      procs.push(await startRelay(relay));
    }
    await sleep(200);
    const serverInterfaces = relay === undefined ? [BRIDGE] : [BRIDGE, TRANSIT_IF];
    return { id, server, relay, direct, relayed, serverInterfaces, destroy };
  } catch (err) {
    await destroy();
    throw err;
  }
}

/** Addresses of a relay: the transit link to the server and the relayed clients' subnet (its giaddr). */
export interface RelayNet {
  readonly transitServer: string;
  readonly transitRelay: string;
  readonly transitPrefix: number;
  readonly clientSubnet: string;
  readonly giaddr: string;
}

export const DEFAULT_RELAY_NET: RelayNet = {
  transitServer: TRANSIT_SERVER, transitRelay: TRANSIT_RELAY, transitPrefix: 15, clientSubnet: RELAY_SUBNET, giaddr: RELAY_GIADDR,
};

/** The relay namespace, its transit link to `server` and its client bridge, with `clients` on it. */
export async function buildRelay(server: string, relay: string, clients: readonly ClientNs[], created: string[], net = DEFAULT_RELAY_NET): Promise<void> {
  await addNamespace(relay);
  await ipCmd('-n', server, 'link', 'add', TRANSIT_IF, 'type', 'veth', 'peer', 'name', 'adt-tr1', 'netns', relay);
  await ipCmd('-n', server, 'addr', 'add', `${net.transitServer}/${net.transitPrefix}`, 'dev', TRANSIT_IF);
  await ipCmd('-n', server, 'link', 'set', TRANSIT_IF, 'up');
  await ipCmd('-n', relay, 'addr', 'add', `${net.transitRelay}/${net.transitPrefix}`, 'dev', 'adt-tr1');
  await ipCmd('-n', relay, 'link', 'set', 'adt-tr1', 'up');
  await ipCmd('-n', server, 'route', 'add', net.clientSubnet, 'via', net.transitRelay);
  await addBridge(relay, 'adt-rbr', `${net.giaddr}/${net.clientSubnet.split('/')[1]}`);
  await run('ip', ['netns', 'exec', relay, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  for (const [i, c] of clients.entries()) {
    created.push(c.ns);
    await addClient(relay, 'adt-rbr', `adt-r${i + 1}`, c);
  }
}

/** ISC dhcrelay in the foreground: downstream on the relay bridge, upstream on the transit link. */
export async function startRelay(relay: string, server = TRANSIT_SERVER): Promise<Proc> {
  const p = new Proc('dhcrelay', 'ip', [
    'netns', 'exec', relay, 'dhcrelay', '-4', '-d', '-id', 'adt-rbr', '-iu', 'adt-tr1', server,
  ]);
  await p.waitForLine((l) => l.includes('Sending on') && l.includes('adt-tr1'), 10_000);
  return p;
}

/** afterAll safety net: stop every tracked child, then remove this process's namespaces. */
export async function teardownAll(): Promise<void> {
  await killAllProcs();
  await cleanupLeftovers(true);
}
