// Rate limit: token buckets per client (client id, else MAC), option 82 circuit-id and remote-id, relay (giaddr),
// receiving interface and globally — the narrowest first, so one noisy client does not spend the shared buckets —
// then the pool-starvation guard (starvation-guard.ts).
import { rejection, type Rejection, type SecurityPacket, type Stage } from './stage.js';
import type { StarvationGuard } from './starvation-guard.js';
import { agentIds } from './starvation-guard.js';
import type { TokenBuckets } from './token-buckets.js';

export function rateLimitStage(buckets: TokenBuckets, guard: StarvationGuard): Stage {
  return {
    id: 'rate-limit',
    check(p: SecurityPacket): Rejection | undefined {
      const limits = p.settings('rateLimit');
      if (limits === undefined) return undefined;
      const { now } = p;
      if (limits.client && !buckets.take(`client:${p.clientKey}`, limits.client, now)) return rejection('rate-limit', 'client-rate');
      if (limits.circuitId || limits.remoteId) {
        const ids = agentIds(p.request);
        if (limits.circuitId && ids.circuit !== undefined && !buckets.take(`circuit:${ids.circuit}`, limits.circuitId, now)) {
          return rejection('rate-limit', 'circuit-id-rate', { circuitId: ids.circuit });
        }
        if (limits.remoteId && ids.remote !== undefined && !buckets.take(`remote:${ids.remote}`, limits.remoteId, now)) {
          return rejection('rate-limit', 'remote-id-rate', { remoteId: ids.remote });
        }
      }
      const relay = p.request.giaddr !== '0.0.0.0' ? p.request.giaddr : undefined;
      if (limits.relay && relay !== undefined && !buckets.take(`relay:${relay}`, limits.relay, now)) return rejection('rate-limit', 'relay-rate');
      if (limits.interface && p.iface !== undefined && !buckets.take(`iface:${p.iface}`, limits.interface, now)) return rejection('rate-limit', 'interface-rate');
      if (limits.global && !buckets.take('global', limits.global, now)) return rejection('rate-limit', 'global-rate');
      return guard.check(p, limits);
    },
  };
}
