// The `control` section: where the control API (HTTP over a UNIX socket, optionally TCP with bearer tokens)
// listens, wire shape and compiled domain values.
import { resolve } from 'node:path';
import { z } from 'zod';
import type { IssueList } from './issues.js';

export const DEFAULT_CONTROL_SOCKET = '/run/actor-dhcpd/control.sock';

/** A bearer token: long enough that guessing it over the network is hopeless, and printable (an HTTP header). */
const token = z
  .string()
  .regex(/^[\x21-\x7e]{16,256}$/, { error: 'expected a token of 16-256 printable ASCII characters, no spaces' });

const TcpSchema = z.strictObject({
  address: z.ipv4({ error: 'expected an IPv4 address, e.g. 127.0.0.1' }).default('127.0.0.1').describe('Address the TCP listener binds to.'),
  port: z.number().int().min(1).max(65535).default(9167).describe('TCP port of the control API.'),
  readToken: token.optional().describe('Bearer token for read-only requests (GET, /metrics).'),
  adminToken: token.optional().describe('Bearer token for every request, writes included.'),
});

export const ControlSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Serve the control API and /metrics.'),
    socket: z
      .string()
      .min(1)
      .max(107, { error: 'a UNIX socket path is at most 107 bytes (sun_path)' })
      .default(DEFAULT_CONTROL_SOCKET)
      .describe('UNIX socket of the control API (mode 0660); relative paths are resolved against the config file directory.'),
    tcp: TcpSchema.optional().describe('Optional TCP listener; needs at least one token.'),
    bodyLimitBytes: z
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(1024 * 1024)
      .describe('Largest request body accepted, in bytes.'),
  })
  .describe('Control API and metrics listener.');

export type WireControl = z.output<typeof ControlSchema>;

export interface ControlTcpConfig {
  readonly address: string;
  readonly port: number;
  readonly readToken?: string;
  readonly adminToken?: string;
}

export interface ControlConfig {
  readonly enabled: boolean;
  /** Absolute path of the UNIX socket. */
  readonly socket: string;
  readonly tcp?: ControlTcpConfig;
  readonly bodyLimitBytes: number;
}

/** A TCP listener without a token would serve leases and writes to anyone who can reach the port: refused. */
export function compileControl(wire: WireControl, baseDir: string, issues: IssueList): ControlConfig {
  const { tcp } = wire;
  if (tcp !== undefined && tcp.readToken === undefined && tcp.adminToken === undefined) {
    issues.add(['control', 'tcp'], 'a TCP listener needs readToken or adminToken (or both); remove "tcp" to listen on the socket only');
  }
  if (tcp?.readToken !== undefined && tcp.readToken === tcp.adminToken) {
    issues.add(['control', 'tcp', 'readToken'], 'readToken must differ from adminToken');
  }
  return {
    enabled: wire.enabled,
    socket: resolve(baseDir, wire.socket),
    bodyLimitBytes: wire.bodyLimitBytes,
    ...(tcp === undefined ? {} : { tcp: { ...tcp } }),
  };
}
