// Chooses the transport: the interface-aware native one when the addon loads, else dgram; logs which and why.
import { DhcpdError } from '../errors.js';
import { createDgramTransport } from './dgram-transport.js';
import type { NetLogger } from './link-table.js';
import { loadNativeBinding, type NativeBinding } from './native-binding.js';
import { createNativeTransport, type NativeTransportOptions } from './native-transport.js';
import type { Transport } from './types.js';

export interface OpenTransportOptions {
  readonly port: number;
  /** Listen address; default 0.0.0.0. */
  readonly address?: string;
  /** Interfaces to serve. Empty: relay-only service, which the dgram transport covers. */
  readonly interfaces: readonly string[];
  readonly logger: NetLogger;
  /** 'auto' (default): native when available, else dgram. 'native' fails instead of falling back. */
  readonly prefer?: 'auto' | 'native' | 'dgram';
  /** Test seam: how the addon is loaded (throws DHCPD_ERR_NET_NATIVE_UNAVAILABLE). */
  readonly loadBinding?: () => NativeBinding;
  readonly native?: Partial<Pick<NativeTransportOptions, 'refreshIntervalMs' | 'maxBatch' | 'discover' | 'unlistedUnicast' | 'overload' | 'discoverQueueBytes'>>;
  /** The UDP socket's receive queue in bytes (listen.receiveBufferKiB), either transport; unset: the transport's own. */
  readonly receiveBufferBytes?: number;
}

function unavailable(error: unknown): error is DhcpdError {
  return error instanceof DhcpdError && error.code === 'DHCPD_ERR_NET_NATIVE_UNAVAILABLE';
}

/** Opens a transport; rejects with a NetError (bind failure, or the native addon missing when prefer is 'native'). */
export async function openTransport(opts: OpenTransportOptions): Promise<Transport> {
  const log = opts.logger;
  const dgram = async (reason: string): Promise<Transport> => {
    const transport = await createDgramTransport({
      port: opts.port, logger: log,
      ...(opts.address !== undefined ? { address: opts.address } : {}),
      ...(opts.receiveBufferBytes !== undefined ? { receiveBufferBytes: opts.receiveBufferBytes } : {}),
    });
    log.info({ evt: 'transport.selected', kind: 'dgram', reason }, `dgram transport: ${reason}`);
    return transport;
  };
  const prefer = opts.prefer ?? 'auto';
  if (prefer === 'dgram') return dgram('configured');
  if (prefer === 'auto' && opts.interfaces.length === 0) return dgram('no interfaces listed: relay-only service');
  let binding: NativeBinding;
  try {
    binding = (opts.loadBinding ?? loadNativeBinding)();
  } catch (error) {
    if (prefer === 'native' || !unavailable(error)) throw error;
    log.warn({ evt: 'transport.native_unavailable', err: error }, 'native transport unavailable');
    return dgram(`native addon unavailable (${error.message}); the receiving interface is unknown and replies to clients without an address are broadcast`);
  }
  const transport = createNativeTransport({
    ...opts.native,
    ...(opts.receiveBufferBytes !== undefined ? { receiveBufferBytes: opts.receiveBufferBytes } : {}),
    port: opts.port,
    interfaces: opts.interfaces,
    logger: log,
    binding,
    ...(opts.address !== undefined ? { address: opts.address } : {}),
  });
  log.info({ evt: 'transport.selected', kind: 'native', reason: 'native addon loaded', interfaces: transport.interfaces() }, 'native transport');
  return transport;
}
