// RFC 3074 load balancing of DISCOVERs among the servers sharing one lease database: a server answers a
// DISCOVER only when the client's bucket is its own, or its owner's heartbeat is stale, or the client has been
// trying for `maxSecs` (ISC dhcpd's load-balance-max-seconds). REQUESTs are not filtered: any server answers
// one for a lease it finds in the database.
import { getOption } from '../codec/index.js';
import type { DhcpRequest } from '../codec/types.js';
import type { ScaleOutConfig } from '../config/types.js';
import type { PeerStatus } from '../store/shared.js';
import { assignBuckets, servingPeer } from './buckets.js';
import { hashKey, loadBalanceHash } from './rfc3074-hash.js';

export type DiscoverVerdict = 'own-bucket' | 'taken-over' | 'secs' | 'peer-bucket' | 'cut-off';

export class LoadBalancer {
  private readonly owners: readonly string[];

  constructor(
    private readonly config: ScaleOutConfig,
    /** The live peers by heartbeat; undefined while unknown (cut off from the database). */
    private readonly peers: () => PeerStatus | undefined,
  ) {
    this.owners = assignBuckets(config.peers, config.split);
  }

  bucketOf(request: DhcpRequest): number {
    return loadBalanceHash(hashKey(getOption(request, 61), request.chaddr, request.hlen));
  }

  verdict(request: DhcpRequest): DiscoverVerdict {
    // No fresh heartbeat of its own: this server is cut off from the database. It could not commit a lease, and
    // its peers take its buckets over, so it offers nothing (an offer it cannot honour only delays the client).
    const status = this.peers();
    if (status === undefined) return 'cut-off';
    const bucket = this.bucketOf(request);
    if (this.owners[bucket] === this.config.self) return 'own-bucket';
    if (this.config.maxSecs > 0 && request.secs >= this.config.maxSecs) return 'secs';
    const alive = new Set([...status.alive].filter((p) => this.config.peers.includes(p)));
    return servingPeer(this.owners, bucket, alive) === this.config.self ? 'taken-over' : 'peer-bucket';
  }

  answersDiscover(request: DhcpRequest): boolean {
    const verdict = this.verdict(request);
    return verdict !== 'peer-bucket' && verdict !== 'cut-off';
  }
}
