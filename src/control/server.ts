// The control listener: the control API over a UNIX socket (mode 0660) and, only when tokens are configured, over
// TCP with bearer tokens. Started and stopped with the daemon by cli-main.ts, in two steps: the listeners are bound
// before the daemon starts (a socket or port another process holds keeps it from starting), and the API behind them
// is built once the daemon serves (fastify is imported then: it is not on the way to the first DHCP reply).
import { chmod } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { ControlConfig } from '../config/types.js';
import { classify, DhcpdError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ControlApi } from './api.js';
import { HeldListener } from './held-listener.js';
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

/** Bound listeners whose API is not built yet. */
export interface BoundControl extends ControlServer {
  /** Builds the API behind the listeners; requests held meanwhile are answered then. Rejects (and the listeners
   * answer 503) when it cannot be built. */
  serve(api: ControlApi, plugins?: readonly FastifyPluginAsync[]): Promise<void>;
  /** Called when a request waits for the API, once per listener (the daemon then builds it before it serves). */
  whenWaiting(callback: () => void): void;
}

type BindOptions = Omit<ControlServerOptions, 'api' | 'plugins'>;

function listen(held: HeldListener, where: { path: string } | { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    held.server.once('error', reject);
    held.server.listen(where, () => {
      held.server.off('error', reject);
      resolve();
    });
  });
}

async function bindSocket(config: ControlConfig, log: Logger): Promise<HeldListener> {
  const path = config.socket;
  const held = new HeldListener();
  try {
    const found = await prepareSocketPath(path);
    if (found === 'stale-removed') log.warn({ evt: 'control.stale_socket', socket: path }, 'removed a stale control socket');
    await listen(held, { path });
    await chmod(path, SOCKET_MODE);
  } catch (error) {
    await held.close();
    throw listenFailed(path, error);
  }
  return held;
}

async function bindTcp(config: ControlConfig): Promise<HeldListener | undefined> {
  const tcp = config.tcp;
  if (tcp === undefined || (tcp.readToken === undefined && tcp.adminToken === undefined)) return undefined;
  const held = new HeldListener();
  try {
    await listen(held, { host: tcp.address, port: tcp.port });
  } catch (error) {
    await held.close();
    throw listenFailed(`${tcp.address}:${tcp.port}`, error);
  }
  return held;
}

/** Binds the socket and, with tokens, TCP; rejects with DHCPD_ERR_CONTROL_LISTEN and leaves nothing open. */
export async function bindControlServer(options: BindOptions): Promise<BoundControl> {
  const log = options.log.child({ component: 'control' });
  const socket = await bindSocket(options.config, log);
  let tcp: HeldListener | undefined;
  try {
    tcp = await bindTcp(options.config);
  } catch (error) {
    await socket.close();
    throw error;
  }
  const bound = tcp?.server.address() as AddressInfo | undefined;
  const tcpAddress = bound === undefined ? undefined : { address: bound.address, port: bound.port };
  const apps: FastifyInstance[] = [];
  let closing: Promise<void> | undefined;
  const keep = async (app: FastifyInstance): Promise<void> => {
    // A stop during the build: the listeners are closed already, the app is closed as soon as it exists.
    if (closing !== undefined) await app.close();
    else apps.push(app);
  };
  return {
    socket: options.config.socket,
    ...(tcpAddress === undefined ? {} : { tcp: tcpAddress }),
    serve: async (api, plugins) => {
      try {
        const { buildControlApp } = await import('./build-app.js');
        const build = { ...options, api, log, ...(plugins === undefined ? {} : { plugins }) };
        await keep(await buildControlApp({ ...build, held: socket }));
        if (tcp !== undefined) await keep(await buildControlApp({ ...build, held: tcp, tokens: options.config.tcp! }));
      } catch (error) {
        const err = classify(error);
        for (const held of [socket, tcp]) held?.refuse(`it could not be built (${err.message})`);
        log.error({ evt: 'control.build_failed', err }, 'control API could not be built: it answers 503');
        throw error;
      }
      log.info({ evt: 'control.listening', socket: options.config.socket, tcp: tcpAddress }, 'control API listening');
    },
    whenWaiting: (callback) => {
      socket.whenWaiting(callback);
      tcp?.whenWaiting(callback);
    },
    close: () => {
      closing ??= Promise.all([socket.close(), tcp?.close(), ...apps.map((app) => app.close())]).then(() => {
        log.info({ evt: 'control.closed' }, 'control API closed');
      });
      return closing;
    },
  };
}

/** Binds and builds at once (tests, tools): listening with the API when it resolves. */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const bound = await bindControlServer(options);
  try {
    await bound.serve(options.api, options.plugins);
  } catch (error) {
    await bound.close();
    throw error;
  }
  return bound;
}
