// The `security` section (docs/security.md): wire shape, domain shape and compilation. Every stage's settings can
// be given globally, per interface and per subnet; the most specific scope that sets a stage wins for that stage.
import { z } from 'zod';
import { ipToInt } from '../codec/index.js';
import type { IssueList } from './issues.js';

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/;
const cidr = z.string().regex(IPV4_CIDR, { error: 'expected an IPv4 address or CIDR, e.g. 198.18.0.0/15' });
const cidrList = z.array(cidr);
const macPattern = z
  .string()
  .regex(/^[0-9A-Fa-f]{2}(?:[:-]?[0-9A-Fa-f]{2}){2,5}$/, { error: 'expected a MAC address or an OUI prefix, e.g. 02:00:5e or 02:00:5e:10:00:01' });
const count = (max: number) => z.number().int().min(1).max(max);

const RateSchema = z.strictObject({
  perSecond: z.number().positive().max(1_000_000).describe('Tokens added per second.'),
  burst: count(1_000_000).describe('Bucket size: packets allowed at once.'),
});

const AddressFilterSchema = z.strictObject({
  allow: cidrList.default([]).describe('When not empty, only these addresses/CIDRs pass.'),
  deny: cidrList.default([]).describe('These addresses/CIDRs are rejected (checked first).'),
});

export const ScopedSecuritySchema = z.strictObject({
  trust: z.strictObject({
    untrusted: z.boolean().default(false).describe('Drop packets that carry a giaddr or option 82 (a client posing as a relay).'),
    relayAllow: cidrList.optional().describe('Relay addresses (giaddr) accepted; absent: any relay.'),
  }).optional(),
  macFilter: z.strictObject({
    allow: z.array(macPattern).default([]).describe('When not empty, only these MACs / OUI prefixes pass.'),
    deny: z.array(macPattern).default([]).describe('These MACs / OUI prefixes are rejected (checked first).'),
    knownClientsOnly: z.boolean().default(false).describe('Only clients with a reservation in their subnet pass.'),
  }).optional(),
  ipFilter: z.strictObject({
    source: AddressFilterSchema.optional(),
    giaddr: AddressFilterSchema.optional(),
    ciaddr: AddressFilterSchema.optional(),
  }).optional(),
  rateLimit: z.strictObject({
    client: RateSchema.optional().describe('Per client (client id, else MAC).'),
    relay: RateSchema.optional().describe('Per relay (giaddr).'),
    circuitId: RateSchema.optional().describe('Per option 82 circuit-id.'),
    remoteId: RateSchema.optional().describe('Per option 82 remote-id.'),
    interface: RateSchema.optional().describe('Per receiving interface.'),
    global: RateSchema.optional().describe('All packets.'),
    maxActiveLeasesPerCircuitId: count(10_000_000).optional().describe('Starvation guard: leases held per circuit-id.'),
    maxActiveLeasesPerRemoteId: count(10_000_000).optional().describe('Starvation guard: leases held per remote-id.'),
    maxNewLeasesPerMinutePerRelay: count(10_000_000).optional().describe('Starvation guard: new leases per minute per relay.'),
    maxNewLeasesPerMinutePerInterface: count(10_000_000).optional().describe('Starvation guard: new leases per minute per interface.'),
  }).optional(),
  auth: z.strictObject({
    mode: z.enum(['off', 'optional', 'required']).default('off').describe('RFC 3118 delayed authentication.'),
  }).optional(),
});

export const SecuritySchema = z
  .strictObject({
    ...ScopedSecuritySchema.shape,
    interfaces: z.record(z.string(), ScopedSecuritySchema).default({}).describe('Settings per receiving interface name.'),
    subnets: z.record(z.string(), ScopedSecuritySchema).default({}).describe('Settings per subnet, keyed by its CIDR.'),
    authKeys: z
      .array(z.strictObject({
        id: z.number().int().min(0).max(0xffffffff).describe('Secret id (RFC 3118 §5.4), 32 bits.'),
        secret: z.string().regex(/^(?:[0-9A-Fa-f]{2})+$/, { error: 'expected the key as hex bytes' }).describe('The shared secret, hex.'),
      }))
      .default([]),
    rogueDetection: z.strictObject({
      enabled: z.boolean().default(false).describe('Also listen on port 68 and report OFFER/ACK from other servers.'),
      reportIntervalSeconds: count(86_400).default(300).describe('Each rogue source is reported at most once per interval.'),
    }).prefault({}),
    maxBuckets: count(10_000_000).default(100_000).describe('Rate-limit buckets kept; the least recently used go first.'),
    bucketIdleSeconds: count(86_400).default(300).describe('A bucket unused this long is forgotten.'),
    maxReplayClients: count(10_000_000).default(100_000).describe('Clients whose RFC 3118 replay counter is remembered.'),
    eventRing: count(1_000_000).default(1_000).describe('Recent security events kept for the control API.'),
    logIntervalSeconds: count(3_600).default(10).describe('security.rejected is logged once per stage and reason per interval.'),
  })
  .prefault({})
  .describe('Security stages between decode and routing (docs/security.md).');

export type WireSecurity = z.output<typeof SecuritySchema>;
type WireScoped = z.output<typeof ScopedSecuritySchema>;

/** A network as host-order ints: `ip & mask === network`. */
export interface Cidr {
  readonly network: number;
  readonly mask: number;
}

export interface Rate {
  readonly perSecond: number;
  readonly burst: number;
}

export interface AddressFilter {
  readonly allow: readonly Cidr[];
  readonly deny: readonly Cidr[];
}

export interface ScopedSecurity {
  readonly trust?: { readonly untrusted: boolean; readonly relayAllow?: readonly Cidr[] };
  /** MAC entries are lower-case colon hex, full addresses or prefixes ("02:00:5e"). */
  readonly macFilter?: { readonly allow: readonly string[]; readonly deny: readonly string[]; readonly knownClientsOnly: boolean };
  readonly ipFilter?: { readonly source?: AddressFilter; readonly giaddr?: AddressFilter; readonly ciaddr?: AddressFilter };
  readonly rateLimit?: {
    readonly client?: Rate; readonly relay?: Rate; readonly circuitId?: Rate; readonly remoteId?: Rate;
    readonly interface?: Rate; readonly global?: Rate;
    readonly maxActiveLeasesPerCircuitId?: number; readonly maxActiveLeasesPerRemoteId?: number;
    readonly maxNewLeasesPerMinutePerRelay?: number; readonly maxNewLeasesPerMinutePerInterface?: number;
  };
  readonly auth?: { readonly mode: 'off' | 'optional' | 'required' };
}

export type StageName = keyof ScopedSecurity;

export interface SecurityConfig {
  readonly global: ScopedSecurity;
  readonly interfaces: Readonly<Record<string, ScopedSecurity>>;
  /** By subnet id. */
  readonly subnets: Readonly<Record<number, ScopedSecurity>>;
  /** Secret id → key bytes (hex). */
  readonly authKeys: Readonly<Record<number, string>>;
  readonly rogueDetection: { readonly enabled: boolean; readonly reportIntervalMs: number };
  readonly maxBuckets: number;
  readonly bucketIdleMs: number;
  readonly maxReplayClients: number;
  readonly eventRing: number;
  readonly logIntervalMs: number;
}

export function parseCidr(text: string): Cidr {
  const [address, prefix] = text.split('/');
  const bits = prefix === undefined ? 32 : Number(prefix);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { network: (ipToInt(address!) & mask) >>> 0, mask };
}

const normalizeMac = (m: string): string => (m.replace(/[:-]/g, '').toLowerCase().match(/../g) ?? []).join(':');

function compileScoped(wire: WireScoped, path: readonly (string | number)[], issues: IssueList): ScopedSecurity {
  const cidrs = (list: readonly string[], at: readonly (string | number)[]): Cidr[] =>
    list.flatMap((text, i) => {
      const [address, prefix] = text.split('/');
      const bad = address!.split('.').some((o) => Number(o) > 255) || (prefix !== undefined && Number(prefix) > 32);
      if (bad) issues.add([...at, i], `${text} is not an IPv4 address or CIDR`);
      return bad ? [] : [parseCidr(text)];
    });
  const filter = (f: z.output<typeof AddressFilterSchema> | undefined, key: string): AddressFilter | undefined =>
    f === undefined ? undefined : { allow: cidrs(f.allow, [...path, 'ipFilter', key, 'allow']), deny: cidrs(f.deny, [...path, 'ipFilter', key, 'deny']) };
  const out: { -readonly [K in keyof ScopedSecurity]: ScopedSecurity[K] } = {};
  if (wire.trust) {
    out.trust = {
      untrusted: wire.trust.untrusted,
      ...(wire.trust.relayAllow ? { relayAllow: cidrs(wire.trust.relayAllow, [...path, 'trust', 'relayAllow']) } : {}),
    };
  }
  if (wire.macFilter) {
    out.macFilter = { allow: wire.macFilter.allow.map(normalizeMac), deny: wire.macFilter.deny.map(normalizeMac), knownClientsOnly: wire.macFilter.knownClientsOnly };
  }
  if (wire.ipFilter) {
    const source = filter(wire.ipFilter.source, 'source');
    const giaddr = filter(wire.ipFilter.giaddr, 'giaddr');
    const ciaddr = filter(wire.ipFilter.ciaddr, 'ciaddr');
    out.ipFilter = { ...(source ? { source } : {}), ...(giaddr ? { giaddr } : {}), ...(ciaddr ? { ciaddr } : {}) };
  }
  if (wire.rateLimit) out.rateLimit = { ...wire.rateLimit };
  if (wire.auth) out.auth = { ...wire.auth };
  return out;
}

/** Cross-field checks: subnet keys name configured subnets; `required` auth needs a key. */
export function compileSecurity(wire: WireSecurity, subnets: readonly { readonly id: number; readonly cidr: string }[], issues: IssueList): SecurityConfig {
  const base = ['security'];
  const { interfaces, subnets: bySubnet, authKeys, rogueDetection, ...global } = wire;
  const subnetScopes: Record<number, ScopedSecurity> = {};
  for (const [key, scoped] of Object.entries(bySubnet)) {
    const subnet = subnets.find((s) => s.cidr === key);
    if (subnet === undefined) issues.add([...base, 'subnets', key], `no configured subnet is ${key}`);
    else subnetScopes[subnet.id] = compileScoped(scoped, [...base, 'subnets', key], issues);
  }
  const keys: Record<number, string> = {};
  authKeys.forEach((k, i) => {
    if (keys[k.id] !== undefined) issues.add([...base, 'authKeys', i, 'id'], `secret id ${k.id} is listed twice`);
    keys[k.id] = k.secret.toLowerCase();
  });
  const scopes = [global, ...Object.values(interfaces), ...Object.values(bySubnet)];
  if (authKeys.length === 0 && scopes.some((s) => s.auth !== undefined && s.auth.mode !== 'off')) {
    issues.add([...base, 'authKeys'], 'authentication is enabled but no key is configured');
  }
  return {
    global: compileScoped(global, base, issues),
    interfaces: Object.fromEntries(Object.entries(interfaces).map(([name, s]) => [name, compileScoped(s, [...base, 'interfaces', name], issues)])),
    subnets: subnetScopes,
    authKeys: keys,
    rogueDetection: { enabled: rogueDetection.enabled, reportIntervalMs: rogueDetection.reportIntervalSeconds * 1000 },
    maxBuckets: wire.maxBuckets,
    bucketIdleMs: wire.bucketIdleSeconds * 1000,
    maxReplayClients: wire.maxReplayClients,
    eventRing: wire.eventRing,
    logIntervalMs: wire.logIntervalSeconds * 1000,
  };
}
