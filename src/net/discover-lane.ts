// The DISCOVER lane (listen.discoverQueueKiB; native/lane.c): DISCOVERs wait in a queue of their own, read only after
// the main one, so a storm of them — a site powering up, a flood of spoofed MACs — neither delays nor pushes out of
// the kernel's queue the REQUESTs of offers already made, the renewals of bound clients, RELEASEs, DECLINEs and
// INFORMs. A full lane drops DISCOVERs in the kernel, before they cost anything; their clients retransmit.
import type { NetLogger } from './link-table.js';
import { errnoError } from './errno.js';

/** Logs what came of asking for the lane: `status` is the addon's (granted SO_RCVBUF, 0 not asked, or -errno). */
export function reportDiscoverLane(askedBytes: number, status: number, log: NetLogger): void {
  if (askedBytes === 0) return;
  if (status < 0) {
    log.warn({ evt: 'net.discover_lane', askedBytes, err: errnoError('DHCPD_ERR_NET_DISCOVER_LANE', status, 'open the DISCOVER lane') },
      'no DISCOVER lane: every request shares one receive queue');
    return;
  }
  // SO_RCVBUF reads back twice the payload bytes granted (the kernel's bookkeeping share).
  log.info({ evt: 'net.discover_lane', askedBytes, grantedBytes: Math.floor(status / 2) }, 'DISCOVERs queued apart, read after the other requests');
}
