// Compiles the wire config (schema.ts) into the frozen domain ServerConfig, with every cross-field check.
import { resolve } from 'node:path';
import { ipToInt } from '../codec/index.js';
import type { ServerConfig, Subnet } from './types.js';
import { cidrText } from './addr.js';
import { compileConflictCheck } from './conflict-check.js';
import { compileControl, type ControlConfig } from './control.js';
import { deepFreeze } from './freeze.js';
import type { ConfigIssue } from './issues.js';
import { IssueList, formatPath } from './issues.js';
import { compileOptionLevel } from './options.js';
import { compileScaleOut } from './scale-out.js';
import type { PlacedRange } from './pools.js';
import { reportOverlaps } from './pools.js';
import type { WireConfig } from './schema.js';
import type { CompiledSubnet } from './subnet.js';
import { compileSubnet } from './subnet.js';
import { compileSecurity } from './security.js';
import { compileHistory } from './history.js';
import { compileSupervision } from './supervision.js';

export type ConfigResult = { ok: true; config: ServerConfig } | { ok: false; errors: ConfigIssue[] };

export interface CompileOptions {
  /** Directory a relative store path is resolved against (the config file's directory). */
  readonly baseDir: string;
}

function checkServerId(serverId: string | undefined, issues: IssueList): void {
  if (serverId === undefined) return;
  const n = ipToInt(serverId);
  // Option 54 must be an address clients can unicast to (RFC 2131 §4.3.1).
  if (n === 0 || n === 0xffffffff || n >>> 28 === 0xe || n >>> 24 === 127) {
    issues.add(['serverId'], `${serverId} is not a unicast address clients can reach`);
  }
}

function checkInterfaces(interfaces: readonly string[], issues: IssueList): Set<string> {
  const names = new Set<string>();
  interfaces.forEach((name, j) => {
    if (names.has(name)) issues.add(['interfaces', j], `interface "${name}" is listed twice`);
    names.add(name);
  });
  return names;
}

function checkIds(wire: WireConfig, issues: IssueList): void {
  const owner = new Map<number, number>();
  wire.subnets.forEach((subnet, i) => {
    const id = subnet.id ?? i + 1;
    const earlier = owner.get(id);
    if (earlier === undefined) {
      owner.set(id, i);
      return;
    }
    const how = subnet.id === undefined ? `implicit id ${id} (its position)` : `id ${id}`;
    const path = subnet.id === undefined ? ['subnets', i] : ['subnets', i, 'id'];
    issues.add(path, `${how} is already used by ${formatPath(['subnets', earlier])}`);
  });
}

function checkOverlaps(compiled: readonly CompiledSubnet[], issues: IssueList): void {
  const subnets: PlacedRange[] = compiled.map(({ cidr }, i) => ({
    start: cidr.network,
    end: cidr.broadcast,
    path: ['subnets', i, 'subnet'],
    order: i,
    label: cidrText(cidr.network, cidr.prefixLength),
  }));
  reportOverlaps(subnets, 'subnet', issues);
  reportOverlaps(
    compiled.flatMap(({ pools }) => pools),
    'pool',
    issues,
  );
}

/** The sections compiled on their own, with their own cross-field checks. */
interface CompiledSections {
  readonly supervision: ServerConfig['supervision'];
  readonly scaleOut: ServerConfig['scaleOut'];
  readonly control: ControlConfig;
  readonly security: ServerConfig['security'];
}

function build(wire: WireConfig, subnets: Subnet[], opts: CompileOptions, sections: CompiledSections): ServerConfig {
  const { supervision, scaleOut, control, security } = sections;
  const config: ServerConfig = {
    ...(wire.serverId === undefined ? {} : { serverId: wire.serverId }),
    interfaces: [...wire.interfaces],
    listen: { ...wire.listen },
    store: {
      ...wire.store, path: resolve(opts.baseDir, wire.store.path),
      checkpoint: {
        addresses: wire.store.checkpoint.addresses, intervalMs: wire.store.checkpoint.intervalSeconds * 1000, deltaShare: wire.store.checkpoint.deltaShare,
      },
    },
    history: compileHistory(wire.history),
    logging: { ...wire.logging },
    subnets,
    offerHoldMs: wire.offerHoldSeconds * 1000,
    expiryGraceMs: wire.expiryGraceSeconds * 1000,
    declineProbationMs: wire.declineProbationSeconds * 1000,
    maxDeclinesPerClient: wire.maxDeclinesPerClient,
    bootp: wire.bootp,
    supervision,
    limits: { ...wire.limits },
    security,
    ...(scaleOut === undefined ? {} : { scaleOut }),
    conflictCheck: compileConflictCheck(wire.conflictCheck),
    control,
  };
  return deepFreeze(config);
}

/** Cross-field checks and compilation; every problem is reported, not just the first. */
export function compileConfig(wire: WireConfig, opts: CompileOptions): ConfigResult {
  const issues = new IssueList();
  checkServerId(wire.serverId, issues);
  const interfaces = checkInterfaces(wire.interfaces, issues);
  if (wire.subnets.length === 0) issues.add(['subnets'], 'at least one subnet is required');
  checkIds(wire, issues);
  // BOOTP-only requests (no option 53) are dropped and counted; saying otherwise in the config would mislead.
  if (wire.bootp) issues.add(['bootp'], 'BOOTP is not supported: requests without a DHCP message type are dropped');
  const ctx = {
    defaults: wire.defaults,
    defaultOptions: compileOptionLevel(wire.defaults, ['defaults'], issues),
    interfaces,
    poolOrder: { next: 0 },
    issues,
  };
  const compiled = wire.subnets.map((subnet, i) => compileSubnet(subnet, i, ctx));
  checkOverlaps(compiled, issues);
  const subnets = compiled.flatMap(({ subnet }) => (subnet === undefined ? [] : [subnet]));
  const supervision = compileSupervision(wire.supervision, issues);
  const security = compileSecurity(wire.security, subnets, issues);
  const scaleOut = compileScaleOut(wire.store.kind, wire.store.postgres, wire.scaleOut, issues);
  const control = compileControl(wire.control, opts.baseDir, issues);
  if (issues.size > 0) return { ok: false, errors: issues.toArray() };
  return { ok: true, config: build(wire, subnets, opts, { supervision, scaleOut, control, security }) };
}
