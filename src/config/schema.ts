// Wire shape of the JSON config file (zod 4): types, ranges and defaults; cross-field rules live in compile.ts.
import { z } from 'zod';
import { SecuritySchema } from './security.js';
import { PostgresSchema, ScaleOutSchema } from './scale-out.js';
import { HistorySchema } from './history.js';
import { ConflictCheckSchema } from './conflict-check.js';
import { ControlSchema } from './control.js';
import { LimitsSchema, SupervisionSchema } from './supervision.js';
import { OverloadSchema } from './overload.js';

const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = `${OCTET}(?:\\.${OCTET}){3}`;
const HEX_BYTE = '[0-9A-Fa-f]{2}';

const uint32 = 0xffffffff;
/** Seconds as DHCP carries them: a uint32 (RFC 2132 §9.2). */
const seconds = (min: number) => z.number().int().min(min).max(uint32);
const port = z.number().int().min(1).max(65535);
const ipv4 = z.ipv4({ error: 'expected an IPv4 address in dotted-quad form, e.g. 198.51.100.1' });
const ipv4List = z.array(ipv4).min(1);

/** Linux IFNAMSIZ is 16 including the NUL; "/" and whitespace cannot appear in a name. */
const interfaceName = z
  .string()
  .regex(/^[^\s/]{1,15}$/, { error: 'expected an interface name: 1-15 characters, no whitespace or "/"' });

const hwAddress = z
  .string()
  .regex(new RegExp(`^${HEX_BYTE}(?:[:-]?${HEX_BYTE}){5}$`), {
    error: 'expected a 6-byte MAC address, e.g. 02:00:5e:10:00:01',
  });

/** RFC 2132 §9.14: a client identifier is at least two bytes (type + value). */
const clientId = z
  .string()
  .regex(new RegExp(`^${HEX_BYTE}(?:[:-]?${HEX_BYTE})+$`), {
    error: 'expected a client identifier as hex bytes (type byte first), e.g. 01:02:00:5e:10:00:02',
  });

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
/** RFC 1123 §2.1 host name (option 12); dots allowed so an FQDN fits. */
const hostname = z
  .string()
  .max(253)
  .regex(new RegExp(`^${LABEL}(?:\\.${LABEL})*$`), { error: 'expected a host name (letters, digits, "-", ".")' });

export const PoolRangeSchema = z.strictObject({
  start: ipv4.describe('First address of the pool (inclusive).'),
  end: ipv4.describe('Last address of the pool (inclusive).'),
});

/** A pool as an object or as the shorthand "first-last". */
export const PoolSchema = z.union(
  [
    PoolRangeSchema,
    z.string().regex(new RegExp(`^\\s*${IPV4}\\s*-\\s*${IPV4}\\s*$`), {
      error: 'expected a range "first-last", e.g. 198.51.100.100-198.51.100.199',
    }),
  ],
  { error: 'expected a pool: {"start": ..., "end": ...} or "first-last"' },
);

/** Option values by name ("domain-search") or decimal code ("66"); values are checked by the codec. */
export const OptionsSchema = z
  .record(z.string(), z.unknown())
  .describe('DHCP options by name or decimal code; the value shape depends on the option.');

export const ReservationSchema = z.strictObject({
  hwAddress: hwAddress.optional().describe('Client MAC address (Ethernet chaddr). Exactly one of hwAddress/clientId.'),
  clientId: clientId.optional().describe('Client identifier (option 61) bytes in hex, type byte first.'),
  address: ipv4.describe('The address this client always gets; must be inside the subnet.'),
  hostname: hostname.optional().describe('Host name for this client (option 12).'),
});

const timeFields = {
  leaseTime: seconds(1).optional().describe('Lease time in seconds (option 51).'),
  renewalTime: seconds(1).optional().describe('Renewal time T1 in seconds (option 58); default 0.5 x leaseTime.'),
  rebindingTime: seconds(1).optional().describe('Rebinding time T2 in seconds (option 59); default 0.875 x leaseTime.'),
  authoritative: z.boolean().optional().describe('NAK requests for addresses this server does not know about.'),
};

const commonOptionFields = {
  dnsServers: ipv4List.optional().describe('Domain name servers (option 6).'),
  domainName: z.string().min(1).optional().describe('Domain name (option 15).'),
  ntpServers: ipv4List.optional().describe('NTP servers (option 42).'),
  options: OptionsSchema.optional(),
};

export const SubnetSchema = z.strictObject({
  id: z.number().int().min(1).max(uint32).optional().describe('Stable subnet id; default: 1-based position.'),
  subnet: z.cidrv4({ error: 'expected an IPv4 CIDR, e.g. 198.51.100.0/24' }).describe('Network address/prefix.'),
  interface: interfaceName.optional().describe('Interface this subnet is directly attached to.'),
  interfaces: z.array(interfaceName).optional().describe('Interfaces this subnet is directly attached to.'),
  pools: z.array(PoolSchema).default([]).describe('Dynamic address ranges.'),
  router: ipv4List.optional().describe('Routers (option 3).'),
  ...commonOptionFields,
  ...timeFields,
  reservations: z.array(ReservationSchema).default([]).describe('Fixed addresses for known clients.'),
});

export const DefaultsSchema = z.strictObject({
  ...timeFields,
  leaseTime: seconds(1).default(3600).describe('Lease time in seconds (option 51).'),
  authoritative: z.boolean().default(false).describe('NAK requests for addresses this server does not know.'),
  ...commonOptionFields,
});

export const StoreSchema = z.strictObject({
  kind: z
    .enum(['level', 'memory', 'postgres'])
    .default('level')
    .describe('"level": LevelDB on disk; "memory": lost on exit; "postgres": a PostgreSQL database several servers can share.'),
  path: z
    .string()
    .min(1)
    .default('/var/lib/actor-dhcpd/leases')
    .describe('LevelDB directory; relative paths are resolved against the config file directory.'),
  commitIntervalMs: z.number().int().min(0).max(60_000).default(2).describe('Longest an ACK waits for its commit.'),
  maxBatch: z.number().int().min(1).max(1_000_000).default(1000).describe('Most lease writes in one commit.'),
  checkpoint: z
    .strictObject({
      addresses: z
        .number()
        .int()
        .min(1000)
        .max(100_000_000)
        .default(20_000)
        .describe('A new snapshot is written while serving once the commit journal names this many addresses.'),
      intervalSeconds: z
        .number()
        .int()
        .min(0)
        .max(604_800)
        .default(3600)
        .describe('Or once this long has passed since the last one, if anything was written; 0: never by time.'),
      deltaShare: z
        .number()
        .min(0)
        .max(1)
        .default(0.1)
        .describe(
          'A checkpoint appends the addresses written since the last one to the delta file while it names at most this '
          + 'share of the stored leases (or twice addresses, whichever is more); past it, it rewrites the snapshot whole. 0: always whole.',
        ),
    })
    .prefault({})
    .describe('LevelDB: checkpoints of the start-up snapshot, so a start after a crash reads back few leases.'),
  postgres: PostgresSchema.optional(),
});

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export const ConfigSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Path or URL of this JSON Schema, for editors.'),
    serverId: ipv4.optional().describe('Server identifier (option 54) and reply source address.'),
    interfaces: z.array(interfaceName).default([]).describe('Interfaces served directly; empty for relay-only.'),
    listen: z
      .strictObject({
        address: ipv4.default('0.0.0.0').describe('Address the UDP socket binds to.'),
        port: port.default(67).describe('Server port.'),
        clientPort: port.default(68).describe('Port replies to clients are sent to.'),
        transport: z
          .enum(['auto', 'native', 'dgram'])
          .default('auto')
          .describe('"auto": the interface-aware native transport when its addon loads, else dgram; "native": fail without it; "dgram": always dgram.'),
        unlistedUnicast: z
          .enum(['accept', 'drop'])
          .default('accept')
          .describe('Native transport: datagrams unicast to us over an interface not listed (relayed traffic on a transit link).'),
        receiveBufferKiB: z
          .number()
          .int()
          .min(64)
          .max(262_144)
          .default(4096)
          .describe('The UDP socket receive queue, KiB: absorbs bursts and GC pauses, but under overload requests wait in it.'),
        discoverQueueKiB: z
          .number()
          .int()
          .min(0)
          .max(262_144)
          .refine((kib) => kib === 0 || kib >= 16, 'either 0 (no DISCOVER lane) or at least 16 KiB')
          .default(4096)
          .describe('Native transport: DISCOVERs wait in a receive queue of their own this large, KiB, read after the other requests, so a storm of them cannot delay or drop REQUESTs and renewals. 0: one queue for all.'),
        overload: OverloadSchema.prefault({}),
        warmupMs: z
          .number()
          .int()
          .min(0)
          .max(10_000)
          .default(500)
          .describe('Before the socket opens, this long of synthetic exchanges through the daemon\'s own pipeline (a scratch store), so that its packet path is compiled before the first client. 0: none.'),
      })
      .prefault({}),
    store: StoreSchema.prefault({}),
    scaleOut: ScaleOutSchema.optional(),
    history: HistorySchema.prefault({}),
    logging: z.strictObject({ level: z.enum(LOG_LEVELS).default('info') }).prefault({}),
    offerHoldSeconds: seconds(1).default(60).describe('How long an offered address is held for its client.'),
    expiryGraceSeconds: seconds(0).default(300).describe('How long an expired lease can still be renewed.'),
    declineProbationSeconds: seconds(0).default(3600).describe('How long a declined address is held back.'),
    maxDeclinesPerClient: z
      .number()
      .int()
      .min(1)
      .max(uint32)
      .default(5)
      .describe('Declines before a client is ignored.'),
    bootp: z.boolean().default(false).describe('Reserved: BOOTP (RFC 951) is not served; must be false.'),
    supervision: SupervisionSchema.prefault({}),
    limits: LimitsSchema.prefault({}),
    security: SecuritySchema,
    conflictCheck: ConflictCheckSchema.prefault({}),
    control: ControlSchema.prefault({}),
    defaults: DefaultsSchema.prefault({}),
    subnets: z.array(SubnetSchema).describe('The subnets served; at least one.'),
  })
  .describe('actor-dhcpd configuration');

export type WireConfig = z.output<typeof ConfigSchema>;
export type WireSubnet = z.output<typeof SubnetSchema>;
export type WireDefaults = z.output<typeof DefaultsSchema>;
export type WirePool = z.output<typeof PoolSchema>;
export type WireReservation = z.output<typeof ReservationSchema>;
