// A small HTTP client for the control API over its UNIX socket (the CLI) or TCP (with a bearer token).
import { request as httpRequest } from 'node:http';
import { DhcpdError } from '../errors.js';

export type ControlTarget =
  | { readonly socket: string }
  | { readonly host: string; readonly port: number; readonly token?: string };

export interface ControlResponse {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
  /** The body parsed as JSON when it is JSON. */
  readonly json?: unknown;
}

export interface RequestOptions {
  readonly method?: string;
  readonly body?: string;
  readonly contentType?: string;
  readonly timeoutMs?: number;
}

/** Errnos that mean nobody listens at the target (as opposed to a daemon that answered badly). */
const NO_DAEMON = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK', 'ECONNRESET']);

function where(target: ControlTarget): string {
  return 'socket' in target ? target.socket : `${target.host}:${target.port}`;
}

function parse(text: string, contentType: string): unknown {
  if (!contentType.includes('json') || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function controlRequest(target: ControlTarget, path: string, options: RequestOptions = {}): Promise<ControlResponse> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  if ('token' in target && target.token !== undefined) headers['authorization'] = `Bearer ${target.token}`;
  const address = 'socket' in target ? { socketPath: target.socket } : { host: target.host, port: target.port };
  return new Promise((resolve, reject) => {
    const req = httpRequest({ ...address, path, method: options.method ?? 'GET', headers, timeout: options.timeoutMs ?? 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const contentType = String(res.headers['content-type'] ?? '');
        const json = parse(text, contentType);
        resolve({ status: res.statusCode ?? 0, contentType, text, ...(json === undefined ? {} : { json }) });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new DhcpdError('DHCPD_ERR_CONTROL_NO_DAEMON', `no answer from ${where(target)} in time`)));
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error instanceof DhcpdError) return reject(error);
      if (error.code === 'EACCES') {
        reject(new DhcpdError('DHCPD_ERR_CONTROL_NO_DAEMON', `permission denied on ${where(target)}: run as root or as a member of the socket's group`, { cause: error }));
      } else if (error.code !== undefined && NO_DAEMON.has(error.code)) {
        reject(new DhcpdError('DHCPD_ERR_CONTROL_NO_DAEMON', `no actor-dhcpd daemon answers on ${where(target)} (${error.code})`, { cause: error }));
      } else reject(error);
    });
    req.end(options.body);
  });
}
