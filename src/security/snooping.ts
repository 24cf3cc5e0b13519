// Snooping / trust (the seed's first stage): on an untrusted interface a client cannot pose as a relay (no giaddr,
// no option 82, RFC 3046 §2.1); server-only messages heard on port 67 are a loop or a confused server; relayed
// traffic may be limited to known relay addresses.
import { getOption, ipToInt } from '../codec/index.js';
import { MessageType } from '../codec/types.js';
import { inCidrs, rejection, type Rejection, type SecurityPacket, type Stage } from './stage.js';

/** A server's message type: snooping rejects it even when no stage is configured. */
export const isServerOnly = (type: MessageType): boolean =>
  // Three compares, not a Set probe: asked for every request when no stage is configured.
  type === MessageType.OFFER || type === MessageType.ACK || type === MessageType.NAK;
const ZERO = '0.0.0.0';

export function snoopingStage(): Stage {
  return {
    id: 'snooping',
    check(p: SecurityPacket): Rejection | undefined {
      // Always on: a BOOTREQUEST carrying OFFER/ACK/NAK is never a client's (BOOTREPLYs the codec drops already).
      if (isServerOnly(p.request.type)) return rejection('snooping', 'server-message', { type: MessageType[p.request.type] });
      const trust = p.settings('trust');
      if (trust === undefined) return undefined;
      const relayed = p.request.giaddr !== ZERO;
      if (trust.untrusted) {
        if (relayed) return rejection('snooping', 'giaddr-on-untrusted', { giaddr: p.request.giaddr });
        if (getOption(p.request, 82) !== undefined) return rejection('snooping', 'option82-on-untrusted');
      }
      if (relayed && trust.relayAllow !== undefined && !inCidrs(ipToInt(p.request.giaddr), trust.relayAllow)) {
        return rejection('snooping', 'relay-not-allowed', { giaddr: p.request.giaddr });
      }
      return undefined;
    },
  };
}
