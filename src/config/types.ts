// The compiled, frozen domain config the daemon runs on (the wire shape lives in schema.ts).
import type { DhcpOption } from '../codec/types.js';
import type { SupervisionPolicy } from './supervision-policy.js';
import type { SecurityConfig } from './security.js';
import type { PostgresConfig, ScaleOutConfig } from './scale-out.js';
import type { ConflictCheckPolicy } from './conflict-check.js';
import type { ControlConfig, ControlTcpConfig } from './control.js';
import type { OverloadLimits } from './supervision.js';
import type { HistoryConfig } from './history.js';

export type {
  ConflictCheckPolicy, ControlConfig, ControlTcpConfig, OverloadLimits, PostgresConfig, ScaleOutConfig, SecurityConfig, SupervisionPolicy,
};

/** An inclusive address range; addresses are host-order uint32. */
export interface AddressRange {
  readonly start: number;
  readonly end: number;
}

export interface Reservation {
  /** Lower-case colon hex, e.g. "02:00:5e:00:53:01"; matched against chaddr of htype 1. */
  readonly hwAddress?: string;
  /** Lower-case hex of option 61's bytes (type byte included). */
  readonly clientId?: string;
  readonly address: number;
  readonly hostname?: string;
}

export interface Subnet {
  /** Stable id from the config (defaults to 1-based position); leases remember it. */
  readonly id: number;
  readonly cidr: string;
  readonly network: number;
  readonly prefixLength: number;
  readonly mask: number;
  readonly broadcast: number;
  readonly pools: readonly AddressRange[];
  readonly reservations: readonly Reservation[];
  /** Seconds: option 51, 58 (T1), 59 (T2). */
  readonly leaseTime: number;
  readonly renewalTime: number;
  readonly rebindingTime: number;
  /** Option 1 and configured options (3, 6, 15, …) ready to send, encoded. */
  readonly options: readonly DhcpOption[];
  /** NAK INIT-REBOOT requests from unknown clients (RFC 2131 §4.3.2). */
  readonly authoritative: boolean;
  /** Interface names this subnet is directly attached to (empty: relayed only). */
  readonly interfaces: readonly string[];
}

export interface StoreConfig {
  readonly kind: 'level' | 'memory' | 'postgres';
  readonly path: string;
  /** Present when kind is "postgres". */
  readonly postgres?: PostgresConfig;
  /** Longest an ACK waits for its group commit to start. */
  readonly commitIntervalMs: number;
  readonly maxBatch: number;
  /** LevelDB: when a checkpoint of the start-up snapshot is written while serving (src/store/checkpoint.ts). */
  readonly checkpoint: { readonly addresses: number; readonly intervalMs: number; readonly deltaShare: number };
}

export interface ServerConfig {
  /** Server identifier (option 54) and reply source when set; else the receiving interface's address. */
  readonly serverId?: string;
  readonly interfaces: readonly string[];
  readonly listen: {
    readonly address: string;
    readonly port: number;
    readonly clientPort: number;
    /** Which transport serves (docs/transport.md): 'auto' falls back to dgram when the native addon is missing. */
    readonly transport: 'auto' | 'native' | 'dgram';
    /** Native transport: unicasts to us arriving on an interface not listed (relayed traffic) are served or dropped. */
    readonly unlistedUnicast: 'accept' | 'drop';
    /** The UDP socket's receive queue (docs/config.md, `listen.receiveBufferKiB`). */
    readonly receiveBufferKiB: number;
    /** The native transport's DISCOVER lane, 0 for none (docs/config.md, `listen.discoverQueueKiB`). */
    readonly discoverQueueKiB: number;
    /** Overload control at the socket (docs/config.md, `listen.overload`). */
    readonly overload: { readonly discoverWaitMs: number; readonly overflowWindowMs: number };
    /** How long the start's warm-up runs, 0 for none (docs/config.md, `listen.warmupMs`; src/warmup/warm-up.ts). */
    readonly warmupMs: number;
  };
  readonly store: StoreConfig;
  /** Several servers sharing the PostgreSQL store (RFC 3074 load balancing); absent for a single server. */
  readonly scaleOut?: ScaleOutConfig;
  /** How much lease history the store keeps. */
  readonly history: HistoryConfig;
  readonly logging: { readonly level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent' };
  readonly subnets: readonly Subnet[];
  /** Milliseconds an OFFERed address stays held for its client. */
  readonly offerHoldMs: number;
  /** Milliseconds an expired lease may still be renewed by its client before its address is freed. */
  readonly expiryGraceMs: number;
  /** Milliseconds a declined address is held back. */
  readonly declineProbationMs: number;
  /** Declines per client within the probation window before its requests are ignored. */
  readonly maxDeclinesPerClient: number;
  readonly bootp: boolean;
  /** Restart strategies per child kind and the send/store retry policies. */
  readonly supervision: SupervisionPolicy;
  /** Bounds on every queue of the request path. */
  readonly limits: OverloadLimits;
  /** The security stages' settings (docs/security.md). */
  readonly security: SecurityConfig;
  /** The ICMP echo probe before an offer. */
  readonly conflictCheck: ConflictCheckPolicy;
  /** The control API's listeners (docs/config.md, `control`). */
  readonly control: ControlConfig;
}
