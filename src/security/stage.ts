// What a security stage sees and returns: the decoded packet with its scope, and allow (undefined) or a typed
// rejection. Stages run in the seed's order between decode and routing (pipeline.ts).
import { hwAddressOf } from '../codec/index.js';
import type { DhcpRequest } from '../codec/types.js';
import type { ScopedSecurity } from '../config/security.js';
import type { SecurityConfig, ServerConfig, Subnet } from '../config/types.js';
import type { Inbound } from '../net/types.js';
import { selectSubnet } from '../server/subnet-select.js';

export type StageId = 'snooping' | 'mac-filter' | 'ip-filter' | 'rate-limit' | 'auth';

export interface Rejection {
  readonly stage: StageId;
  readonly reason: string;
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface Stage {
  readonly id: StageId;
  /** undefined: the packet passes this stage. */
  check(packet: SecurityPacket): Rejection | undefined;
}

/** One decoded request on its way to routing, with its subnet and settings resolved on first use. */
export class SecurityPacket {
  readonly hwAddress: string;
  readonly iface: string | undefined;
  private subnetMemo: Subnet | null | undefined;

  constructor(
    readonly request: DhcpRequest,
    readonly inbound: Inbound,
    readonly clientKey: string,
    readonly now: number,
    private readonly config: ServerConfig,
  ) {
    this.hwAddress = request.htype === 1 && request.hlen === 6 ? hwAddressOf(request) : '';
    this.iface = inbound.iface?.name;
  }

  get security(): SecurityConfig {
    return this.config.security;
  }

  /** The subnet the request belongs to (RFC 2131 §4.3.1 selection), computed once and only when a stage asks. */
  get subnet(): Subnet | undefined {
    if (this.subnetMemo === undefined) this.subnetMemo = selectSubnet(this.config, this.request, this.inbound) ?? null;
    return this.subnetMemo ?? undefined;
  }

  /** A stage's settings from the most specific scope that sets them: subnet, then interface, then global. */
  settings<K extends keyof ScopedSecurity>(key: K): ScopedSecurity[K] {
    const sec = this.config.security;
    if (hasSubnetScopes(sec)) {
      const subnet = this.subnet;
      const own = subnet === undefined ? undefined : sec.subnets[subnet.id]?.[key];
      if (own !== undefined) return own;
    }
    const byIface = this.iface === undefined ? undefined : sec.interfaces[this.iface]?.[key];
    return byIface ?? sec.global[key];
  }
}

const subnetScoped = new WeakMap<SecurityConfig, boolean>();
function hasSubnetScopes(sec: SecurityConfig): boolean {
  let has = subnetScoped.get(sec);
  if (has === undefined) subnetScoped.set(sec, (has = Object.keys(sec.subnets).length > 0));
  return has;
}

/** Which stages any scope configures, per security config (a reload compiles a new one). */
export interface ConfiguredStages {
  /** Any stage at all: when none is, only snooping's always-on check can reject a packet. */
  readonly any: boolean;
  readonly rateLimit: boolean;
}

const STAGE_KEYS: readonly (keyof ScopedSecurity)[] = ['trust', 'macFilter', 'ipFilter', 'rateLimit', 'auth'];
/**
 * The config asked about last, and its answer: asked per request and per ACK, always of the daemon's one security
 * config, which changes only on a reload (then worked out once again).
 */
let lastConfig: SecurityConfig | undefined;
let lastStages: ConfiguredStages | undefined;

export function configuredStages(sec: SecurityConfig): ConfiguredStages {
  if (sec !== lastConfig || lastStages === undefined) {
    lastStages = { any: STAGE_KEYS.some((key) => isConfigured(sec, key)), rateLimit: isConfigured(sec, 'rateLimit') };
    lastConfig = sec;
  }
  return lastStages;
}

/** Whether any scope configures this stage's section: a stage no scope sets is left out of the pipeline. */
export function isConfigured(sec: SecurityConfig, key: keyof ScopedSecurity): boolean {
  return [sec.global, ...Object.values(sec.interfaces), ...Object.values(sec.subnets)].some((s) => s[key] !== undefined);
}

export const rejection = (stage: StageId, reason: string, detail?: Readonly<Record<string, unknown>>): Rejection =>
  detail === undefined ? { stage, reason } : { stage, reason, detail };

/** Host-order int of a dotted quad, for CIDR matches. */
export function inCidrs(ip: number, cidrs: readonly { readonly network: number; readonly mask: number }[]): boolean {
  for (const c of cidrs) if (((ip & c.mask) >>> 0) === c.network) return true;
  return false;
}
