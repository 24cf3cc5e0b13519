// The portable transport over Node's dgram: enough for relay-only service (RFC 2131 §4.1 replies to giaddr),
// blind to the receiving interface, and unable to unicast to a MAC (replies that need it go out as broadcast).
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { Subject } from '../rx.js';
import { classify, NetError, sendErrorCode } from '../errors.js';
import type { NetLogger } from './link-table.js';
import { applyReceiveBuffer } from './receive-buffer.js';
import type { Inbound, Outbound, Transport } from './types.js';

export interface DgramTransportOptions {
  readonly port: number;
  /** Default 0.0.0.0. */
  readonly address?: string;
  readonly logger: NetLogger;
  readonly now?: () => number;
  /** The socket's receive queue in bytes (SO_RCVBUF, within rmem_max); without it, the system default. */
  readonly receiveBufferBytes?: number;
}

function netError(code: 'DHCPD_ERR_NET_BIND' | 'DHCPD_ERR_NET_SEND' | 'DHCPD_ERR_NET_UNREACHABLE' | 'DHCPD_ERR_NET_RECEIVE', what: string, error: unknown, details: Record<string, unknown>): NetError {
  const errno = (error as { code?: unknown } | null)?.code;
  return new NetError(code, `${what} failed: ${typeof errno === 'string' ? errno : String(error)}`, { cause: error, details });
}

/** Binds address:port with broadcast enabled; rejects with NetError DHCPD_ERR_NET_BIND. */
export async function createDgramTransport(opts: DgramTransportOptions): Promise<Transport> {
  const address = opts.address ?? '0.0.0.0';
  const now = opts.now ?? Date.now;
  const log = opts.logger;
  const inbound = new Subject<Inbound>();
  const socket: Socket = createSocket({ type: 'udp4', reuseAddr: true });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      socket.close();
      reject(netError('DHCPD_ERR_NET_BIND', `bind ${address}:${opts.port}`, error, { address, port: opts.port }));
    };
    socket.once('error', onError);
    socket.bind({ address, port: opts.port, exclusive: true }, () => {
      socket.off('error', onError);
      resolve();
    });
  });
  socket.setBroadcast(true);
  if (opts.receiveBufferBytes !== undefined) applyReceiveBuffer(opts.receiveBufferBytes, (bytes) => setRecvBuffer(socket, bytes), log);
  // After bind, an 'error' event must never go unhandled (it would crash the process): log it and keep serving.
  socket.on('error', (error) => {
    log.warn({ evt: 'net.receive_failed', err: netError('DHCPD_ERR_NET_RECEIVE', 'socket', error, {}) }, 'socket error');
  });
  socket.on('message', (data: Buffer, rinfo: RemoteInfo) => {
    try {
      inbound.next({ data, from: { address: rinfo.address, port: rinfo.port }, receivedAt: now() });
    } catch (error) {
      log.error({ evt: 'net.receive_failed', err: classify(error) }, 'inbound datagram handling threw');
    }
  });
  let closed = false;

  return {
    kind: 'dgram',
    inbound$: inbound.asObservable(),
    interfaces: () => [],
    send: (out: Outbound) =>
      new Promise<void>((resolve, reject) => {
        if (closed) {
          reject(new NetError('DHCPD_ERR_NET_SEND', 'transport closed', { details: { to: out.to } }));
          return;
        }
        socket.send(out.data, out.to.port, out.to.address, (error) => {
          if (error) reject(netError(sendErrorCode(String((error as { code?: unknown }).code)), `send to ${out.to.address}:${out.to.port}`, error, { to: out.to }));
          else resolve();
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) {
          resolve();
          return;
        }
        closed = true;
        inbound.complete();
        socket.close(() => resolve());
      }),
  };
}

/** SO_RCVBUF through dgram (it throws instead of returning -errno): the granted size, or -errno. */
function setRecvBuffer(socket: Socket, bytes: number): number {
  try {
    socket.setRecvBufferSize(bytes);
    return socket.getRecvBufferSize();
  } catch (error) {
    const errno = (error as { info?: { errno?: unknown } }).info?.errno;
    return typeof errno === 'number' ? -Math.abs(errno) : -1;
  }
}
