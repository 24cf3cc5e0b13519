// A server namespace with several directly attached segments (one bridge each, any number of addresses), listed
// or not, plus an optional relay on its own transit link: the multi-interface topology (issue 4).
import { rmSync } from 'node:fs';
import {
  addBridge, addClient, addNamespace, buildRelay, deleteNamespace, startRelay, TRANSIT_IF, type ClientNs, type ClientSpec,
  type Lab, type RelayNet,
} from './netns.js';
import { run, sleep, type Proc } from './proc.js';

/*
 *   client ns ─ veth ─┐
 *                     lab0 (bridge, addresses[0], addresses[1]…)   ┐
 *   client ns ─ veth ─┤ lab1 …                                     ├ server ns ─ adt-tr0 ── veth ── relay ns (dhcrelay)
 *                     lab2 …                                       ┘                               └ adt-rbr ─ clients
 */

export interface SegmentSpec {
  /** Bridge name in the server namespace (what the daemon's `interfaces` lists), e.g. "lab1". */
  readonly bridge: string;
  /** The server's addresses on it in CIDR form, in the order they are added ("203.0.113.1/24"). */
  readonly addresses: readonly string[];
  readonly clients: readonly ClientSpec[];
}

export interface SegmentsLabSpec {
  readonly segments: readonly SegmentSpec[];
  readonly relayed?: readonly ClientSpec[];
  /** Required with relayed clients: the default relay net overlaps the 203.0.113.0/24 segment many labs use. */
  readonly relayNet?: RelayNet;
}

export interface SegmentsLab extends Lab {
  /** Clients per segment, in spec order (Lab.direct has them all, flattened). */
  readonly segments: readonly (readonly ClientNs[])[];
  /** `ip -n <server namespace> …args`. */
  serverIp(...args: string[]): Promise<string>;
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** Builds the lab; on any failure removes what it created before rethrowing. */
export async function createSegmentsLab(spec: SegmentsLabSpec): Promise<SegmentsLab> {
  const id = `${process.pid}-${Math.random().toString(16).slice(2, 6)}`;
  const short = id.split('-')[1] as string;
  const base = `adt-${id}`;
  const server = `${base}-srv`;
  const relayed = spec.relayed ?? [];
  const relay = relayed.length > 0 ? `${base}-rly` : undefined;
  if (relay !== undefined && spec.relayNet === undefined) throw new TypeError('relayed clients need spec.relayNet');
  // g: 1 for relayed clients, 2… per segment; it names client namespaces, interfaces, ports and MACs.
  const mk = (g: number, s: ClientSpec, i: number, role: string): ClientNs => ({
    ns: `${base}-${role}${i + 1}`,
    iface: `adt-${short}-${g}${i + 1}`,
    mac: s.mac ?? `02:00:5e:10:${hex2(g)}:${hex2(i + 1)}`,
    segment: g === 1 ? 'relayed' : 'direct',
  });
  const segments = spec.segments.map((seg, k) => seg.clients.map((c, i) => mk(k + 2, c, i, `s${k}c`)));
  const relayedClients = relayed.map((c, i) => mk(1, c, i, 'r'));
  const created: string[] = [];
  const procs: Proc[] = [];
  const destroy = async (): Promise<void> => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL', 1_000)));
    for (const ns of created.reverse()) await deleteNamespace(ns);
    for (const c of [...segments.flat(), ...relayedClients]) rmSync(`/var/lib/dhcpcd/${c.iface}.lease`, { force: true });
  };
  const serverIp = (...args: string[]): Promise<string> => run('ip', ['-n', server, ...args], { timeoutMs: 10_000 });
  try {
    await addNamespace(server);
    created.push(server);
    for (const [k, seg] of spec.segments.entries()) {
      const [first, ...more] = seg.addresses;
      await addBridge(server, seg.bridge, first as string);
      for (const cidr of more) await serverIp('addr', 'add', cidr, 'dev', seg.bridge);
      for (const [i, c] of (segments[k] ?? []).entries()) {
        created.push(c.ns);
        await addClient(server, seg.bridge, `adt-p${k + 2}${i + 1}`, c);
      }
    }
    if (relay !== undefined && spec.relayNet !== undefined) {
      created.push(relay);
      await buildRelay(server, relay, relayedClients, created, spec.relayNet);
      procs.push(await startRelay(relay, spec.relayNet.transitServer));
    }
    await sleep(200);
    const bridges = spec.segments.map((s) => s.bridge);
    return {
      id, server, relay, direct: segments.flat(), relayed: relayedClients, segments,
      serverInterfaces: relay === undefined ? bridges : [...bridges, TRANSIT_IF],
      serverIp, destroy,
    };
  } catch (err) {
    await destroy();
    throw err;
  }
}
