// The UDP socket's receive queue (listen.receiveBufferKiB): what absorbs a burst or a GC pause without kernel drops,
// and also how long a request can wait when the server is saturated (a stale request still gets served, late).
import type { NetLogger } from './link-table.js';

/** Sets the queue through `set` (which returns the granted SO_RCVBUF, or -errno) and logs what the kernel granted. */
export function applyReceiveBuffer(bytes: number, set: (bytes: number) => number, log: NetLogger): void {
  const granted = set(bytes);
  if (granted < 0) {
    log.warn({ evt: 'net.receive_buffer', askedBytes: bytes, errno: -granted }, 'receive queue size not set: the system default stays');
    return;
  }
  // SO_RCVBUF reads back twice the payload bytes granted (the kernel's bookkeeping share).
  const payload = Math.floor(granted / 2);
  if (payload < bytes) {
    log.warn({ evt: 'net.receive_buffer', askedBytes: bytes, grantedBytes: payload },
      'receive queue smaller than configured: raise net.core.rmem_max, or run with CAP_NET_ADMIN');
  } else {
    log.info({ evt: 'net.receive_buffer', askedBytes: bytes, grantedBytes: payload }, 'receive queue set');
  }
}
