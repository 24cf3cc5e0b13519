// The one error model of actor-dhcpd: stable codes by category; every code is documented in docs/errors.md.
// This module imports nothing, so every layer (codec and allocator included) may use it.

export type ErrorCategory = 'network' | 'parse' | 'config' | 'security' | 'lease' | 'store' | 'unknown';

interface CodeSpec {
  readonly category: ErrorCategory;
  /** Whether retrying the same operation later can succeed (drives retry strategies). */
  readonly transient: boolean;
}

const parse = { category: 'parse', transient: false } as const;
const config = { category: 'config', transient: false } as const;
const lease = { category: 'lease', transient: false } as const;

/** The registry. Messages may change; codes may not. */
export const ERROR_CODES = {
  DHCPD_ERR_CODEC_TRUNCATED: parse,
  DHCPD_ERR_CODEC_BAD_COOKIE: parse,
  DHCPD_ERR_CODEC_BAD_HLEN: parse,
  DHCPD_ERR_CODEC_NOT_REQUEST: parse,
  DHCPD_ERR_CODEC_OPTION_OVERRUN: parse,
  DHCPD_ERR_CODEC_NO_MESSAGE_TYPE: parse,
  DHCPD_ERR_CODEC_UNKNOWN_MESSAGE_TYPE: parse,
  DHCPD_ERR_CODEC_BAD_OVERLOAD: parse,
  DHCPD_ERR_CODEC_BAD_OPTION_VALUE: parse,
  DHCPD_ERR_CODEC_REPLY_TOO_LARGE: parse,
  DHCPD_ERR_CAPTURE_INVALID: parse,

  DHCPD_ERR_CONFIG_READ: config,
  DHCPD_ERR_CONFIG_SYNTAX: config,
  DHCPD_ERR_CONFIG_INVALID: config,
  DHCPD_ERR_CONFIG_RESTART_REQUIRED: config,

  DHCPD_ERR_STORE_OPEN: { category: 'store', transient: false },
  DHCPD_ERR_STORE_CORRUPT: { category: 'store', transient: false },
  DHCPD_ERR_STORE_WRITE: { category: 'store', transient: true },
  DHCPD_ERR_STORE_READ: { category: 'store', transient: true },
  DHCPD_ERR_STORE_CLOSED: { category: 'store', transient: false },
  DHCPD_ERR_STORE_UNAVAILABLE: { category: 'store', transient: true },
  DHCPD_ERR_STORE_SCHEMA: { category: 'store', transient: false },

  DHCPD_ERR_NET_BIND: { category: 'network', transient: false },
  DHCPD_ERR_NET_PORT_IN_USE: { category: 'network', transient: false },
  DHCPD_ERR_NET_SEND: { category: 'network', transient: true },
  DHCPD_ERR_NET_UNREACHABLE: { category: 'network', transient: false },
  DHCPD_ERR_NET_RECEIVE: { category: 'network', transient: true },
  DHCPD_ERR_NET_INTERFACE: { category: 'network', transient: true },
  DHCPD_ERR_NET_NATIVE_UNAVAILABLE: { category: 'network', transient: false },
  DHCPD_ERR_NET_ICMP_UNAVAILABLE: { category: 'network', transient: false },
  DHCPD_ERR_NET_DISCOVER_LANE: { category: 'network', transient: false },

  DHCPD_ERR_LEASE_POOL_EXHAUSTED: lease,
  DHCPD_ERR_LEASE_CONFLICT: lease,
  DHCPD_ERR_LEASE_TAKEN: lease,
  DHCPD_ERR_LEASE_IN_USE: lease,
  DHCPD_ERR_LEASE_NO_SUBNET: lease,
  DHCPD_ERR_LEASE_NOT_FOUND: lease,
  DHCPD_ERR_LEASE_NOT_HELD: lease,

  DHCPD_ERR_SECURITY_REJECTED: { category: 'security', transient: false },

  DHCPD_ERR_CONTROL_LISTEN: { category: 'network', transient: false },
  DHCPD_ERR_CONTROL_NO_DAEMON: { category: 'network', transient: true },
  DHCPD_ERR_CONTROL_UNAUTHORIZED: { category: 'security', transient: false },
  DHCPD_ERR_CONTROL_FORBIDDEN: { category: 'security', transient: false },
  DHCPD_ERR_CONTROL_BAD_REQUEST: parse,
  DHCPD_ERR_CONTROL_BODY_TOO_LARGE: parse,
  DHCPD_ERR_CONTROL_NOT_FOUND: parse,
  DHCPD_ERR_CONTROL_UNAVAILABLE: { category: 'unknown', transient: true },

  DHCPD_ERR_SUPERVISOR_ESCALATED: { category: 'unknown', transient: false },
  DHCPD_ERR_WARMUP_FAILED: { category: 'unknown', transient: false },
  DHCPD_ERR_UNKNOWN: { category: 'unknown', transient: false },
} as const satisfies Record<string, CodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * Verdicts about one packet (undecodable, no lease for it, rejected, unroutable reply) carry no stack: a hostile
 * network makes thousands a second, they are logged without one (a stack is for a bug), and capturing it was most
 * of their cost.
 */
const STACKLESS_CATEGORIES: ReadonlySet<ErrorCategory> = new Set(['parse', 'lease', 'security']);
const isStackless = (code: ErrorCode): boolean => STACKLESS_CATEGORIES.has(ERROR_CODES[code].category) || code === 'DHCPD_ERR_NET_UNREACHABLE';

export class DhcpdError extends Error {
  readonly code: ErrorCode;
  readonly category: ErrorCategory;
  readonly transient: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    const stackLimit = Error.stackTraceLimit;
    if (isStackless(code)) Error.stackTraceLimit = 0;
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    Error.stackTraceLimit = stackLimit;
    this.name = 'DhcpdError';
    this.code = code;
    this.category = ERROR_CODES[code].category;
    this.transient = ERROR_CODES[code].transient;
    this.details = Object.freeze({ ...options.details });
  }
}

/** Raised by the codec; the packet is dropped, never answered. */
export class CodecError extends DhcpdError {
  override readonly name = 'CodecError';
}

export class ConfigError extends DhcpdError {
  override readonly name = 'ConfigError';
}

export class StoreError extends DhcpdError {
  override readonly name = 'StoreError';
}

export class NetError extends DhcpdError {
  override readonly name = 'NetError';
}

export class LeaseError extends DhcpdError {
  override readonly name = 'LeaseError';
}

/** Maps anything thrown into the error model, so every failure has a category and a code. */
export function classify(error: unknown): DhcpdError {
  if (error instanceof DhcpdError) return error;
  const errno = (error as { code?: unknown } | null)?.code;
  if (typeof errno === 'string' && PERMANENT_SEND_ERRNOS.has(errno)) {
    return new NetError('DHCPD_ERR_NET_UNREACHABLE', `destination refused: ${errno}`, { cause: error });
  }
  if (typeof errno === 'string' && NET_ERRNOS.has(errno)) {
    return new NetError('DHCPD_ERR_NET_SEND', `network error ${errno}`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DhcpdError('DHCPD_ERR_UNKNOWN', message, { cause: error });
}

/** Errnos a send can hit while a link flaps or a queue is full: worth a bounded retry. */
export const NET_ERRNOS: ReadonlySet<string> = new Set([
  'ENOBUFS',
  'EAGAIN',
  'EWOULDBLOCK',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'ENXIO',
]);

/**
 * Errnos no retry can cure: no route to the destination (a hostile or bogus giaddr/ciaddr), a destination the
 * kernel refuses, a datagram it cannot send. Retrying them only holds memory and floods the log.
 */
export const PERMANENT_SEND_ERRNOS: ReadonlySet<string> = new Set([
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EACCES',
  'EPERM',
  'EINVAL',
  'EMSGSIZE',
  'EAFNOSUPPORT',
  'EDESTADDRREQ',
]);

/** The code of a failed send with this errno name: retried (NET_SEND) or not (NET_UNREACHABLE). */
export function sendErrorCode(errno: string): 'DHCPD_ERR_NET_SEND' | 'DHCPD_ERR_NET_UNREACHABLE' {
  return PERMANENT_SEND_ERRNOS.has(errno) ? 'DHCPD_ERR_NET_UNREACHABLE' : 'DHCPD_ERR_NET_SEND';
}
