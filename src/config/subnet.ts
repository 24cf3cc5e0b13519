// Compiles one wire subnet into the domain Subnet: CIDR alignment, interfaces, pools, reservations, times, options.
import type { Subnet } from './types.js';
import type { Cidr } from './addr.js';
import { cidrText, parseCidr } from './addr.js';
import type { IssueList, Path } from './issues.js';
import type { OptionMap } from './options.js';
import { compileOptionLevel, mergeOptions } from './options.js';
import type { PlacedRange } from './pools.js';
import { compilePools } from './pools.js';
import { compileReservations } from './reservations.js';
import type { WireDefaults, WireSubnet } from './schema.js';
import { resolveLeaseTimes } from './times.js';

export interface SubnetContext {
  readonly defaults: WireDefaults;
  readonly defaultOptions: OptionMap;
  /** Top-level `interfaces`. */
  readonly interfaces: ReadonlySet<string>;
  /** Running position of pools in the file, shared by all subnets. */
  readonly poolOrder: { next: number };
  readonly issues: IssueList;
}

export interface CompiledSubnet {
  /** Undefined when its lease times are invalid; its CIDR and pools still take part in overlap checks. */
  readonly subnet: Subnet | undefined;
  readonly cidr: Cidr;
  readonly pools: readonly PlacedRange[];
}

function checkCidr(wire: WireSubnet, base: Path, issues: IssueList): Cidr {
  const cidr = parseCidr(wire.subnet);
  if (cidr.address !== cidr.network) {
    const suggestion = cidrText(cidr.network, cidr.prefixLength);
    issues.add([...base, 'subnet'], `not a network address, did you mean ${suggestion}?`);
  }
  return cidr;
}

function compileInterfaces(wire: WireSubnet, base: Path, ctx: SubnetContext): string[] {
  if (wire.interface !== undefined && wire.interfaces !== undefined) {
    ctx.issues.add([...base, 'interfaces'], 'set either interface or interfaces, not both');
  }
  const named: Array<[string, Path]> =
    wire.interfaces !== undefined
      ? wire.interfaces.map((name, j) => [name, [...base, 'interfaces', j]])
      : wire.interface !== undefined
        ? [[wire.interface, [...base, 'interface']]]
        : [];
  const names: string[] = [];
  for (const [name, path] of named) {
    if (!ctx.interfaces.has(name)) {
      ctx.issues.add(path, `interface "${name}" is not listed in $.interfaces`);
    } else if (names.includes(name)) {
      ctx.issues.add(path, `interface "${name}" is listed twice`);
    } else {
      names.push(name);
    }
  }
  return names;
}

export function compileSubnet(wire: WireSubnet, index: number, ctx: SubnetContext): CompiledSubnet {
  const base: Path = ['subnets', index];
  const { issues } = ctx;
  const cidr = checkCidr(wire, base, issues);
  const interfaces = compileInterfaces(wire, base, ctx);
  const pools = compilePools(wire.pools, base, cidr, ctx.poolOrder, issues);
  const reservations = compileReservations(wire.reservations, base, cidr, issues);
  const times = resolveLeaseTimes(wire, ctx.defaults, base, issues);
  const options = mergeOptions(ctx.defaultOptions, compileOptionLevel(wire, base, issues), cidr.mask);
  // Any issue fails the whole compile, so a subnet with issues is still built when it can be.
  if (times === undefined) return { subnet: undefined, cidr, pools };
  const subnet: Subnet = {
    id: wire.id ?? index + 1,
    cidr: cidrText(cidr.network, cidr.prefixLength),
    network: cidr.network,
    prefixLength: cidr.prefixLength,
    mask: cidr.mask,
    broadcast: cidr.broadcast,
    pools: pools.map(({ start, end }) => ({ start, end })),
    reservations,
    ...times,
    options,
    authoritative: wire.authoritative ?? ctx.defaults.authoritative,
    interfaces,
  };
  return { subnet, cidr, pools };
}
