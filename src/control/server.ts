// The control listener: the control API over a UNIX socket (mode 0660) and, only when tokens are configured, over
// TCP with bearer tokens. Started and stopped with the daemon by cli.ts.
import { chmod } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { ControlConfig } from '../config/types.js';
import { classify, DhcpdError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ControlApi } from './api.js';
import { buildControlApp } from './build-app.js';
import { prepareSocketPath } from './socket-path.js';

export type { ControlApi } from './api.js';

export interface ControlServerOptions {
  readonly config: ControlConfig;
  readonly api: ControlApi;
  readonly log: Logger;
  /** The daemon's version, shown in the OpenAPI document. */
  readonly version: string;
  /** Registered on every listener after the /v1 routes (e.g. the visualizer's /ui). */
  readonly plugins?: readonly FastifyPluginAsync[];
}

export interface ControlServer {
  readonly socket: string;
  /** The bound TCP address, when a TCP listener runs. */
  readonly tcp?: { readonly address: string; readonly port: number };
  /** Stops accepting, ends open requests and removes the socket file. */
  close(): Promise<void>;
}

export const SOCKET_MODE = 0o660;

function listenFailed(where: string, error: unknown): DhcpdError {
  if (error instanceof DhcpdError) return error;
  const reason = (error as { code?: unknown } | null)?.code ?? classify(error).message;
  return new DhcpdError('DHCPD_ERR_CONTROL_LISTEN', `control API cannot listen on ${where}: ${String(reason)}`, { cause: error });
}

async function listenSocket(options: ControlServerOptions, log: Logger): Promise<FastifyInstance> {
  const path = options.config.socket;
  const app = await buildControlApp({ ...options, log });
  try {
    const found = await prepareSocketPath(path);
    if (found === 'stale-removed') log.warn({ evt: 'control.stale_socket', socket: path }, 'removed a stale control socket');
    await app.listen({ path });
    await chmod(path, SOCKET_MODE);
  } catch (error) {
    await app.close();
    throw listenFailed(path, error);
  }
  return app;
}

async function listenTcp(options: ControlServerOptions, log: Logger): Promise<FastifyInstance | undefined> {
  const tcp = options.config.tcp;
  if (tcp === undefined || (tcp.readToken === undefined && tcp.adminToken === undefined)) return undefined;
  const app = await buildControlApp({ ...options, log, tokens: tcp });
  try {
    await app.listen({ host: tcp.address, port: tcp.port });
  } catch (error) {
    await app.close();
    throw listenFailed(`${tcp.address}:${tcp.port}`, error);
  }
  return app;
}

/** Listens on the socket and, with tokens, on TCP; rejects with DHCPD_ERR_CONTROL_LISTEN and leaves nothing open. */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const log = options.log.child({ component: 'control' });
  const socketApp = await listenSocket(options, log);
  let tcpApp: FastifyInstance | undefined;
  try {
    tcpApp = await listenTcp(options, log);
  } catch (error) {
    await socketApp.close();
    throw error;
  }
  const bound = tcpApp?.server.address() as AddressInfo | undefined;
  const tcp = bound === undefined ? undefined : { address: bound.address, port: bound.port };
  log.info({ evt: 'control.listening', socket: options.config.socket, tcp }, 'control API listening');
  return {
    socket: options.config.socket,
    ...(tcp === undefined ? {} : { tcp }),
    close: async () => {
      await Promise.all([socketApp.close(), tcpApp?.close()]);
      log.info({ evt: 'control.closed' }, 'control API closed');
    },
  };
}
