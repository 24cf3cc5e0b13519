// IP filter: allow / deny CIDRs for the packet's source address, giaddr and ciaddr (0.0.0.0 is "none" and is
// not filtered: a client in INIT has no address yet).
import { ipToInt } from '../codec/index.js';
import type { AddressFilter } from '../config/security.js';
import { inCidrs, rejection, type Rejection, type SecurityPacket, type Stage } from './stage.js';

function check(field: 'source' | 'giaddr' | 'ciaddr', address: string, f: AddressFilter | undefined): Rejection | undefined {
  if (f === undefined || address === '0.0.0.0') return undefined;
  const ip = ipToInt(address);
  if (f.deny.length > 0 && inCidrs(ip, f.deny)) return rejection('ip-filter', `${field}-denied`, { [field]: address });
  if (f.allow.length > 0 && !inCidrs(ip, f.allow)) return rejection('ip-filter', `${field}-not-allowed`, { [field]: address });
  return undefined;
}

export function ipFilterStage(): Stage {
  return {
    id: 'ip-filter',
    check(p: SecurityPacket): Rejection | undefined {
      const f = p.settings('ipFilter');
      if (f === undefined) return undefined;
      return check('source', p.inbound.from.address, f.source)
        ?? check('giaddr', p.request.giaddr, f.giaddr)
        ?? check('ciaddr', p.request.ciaddr, f.ciaddr);
    },
  };
}
