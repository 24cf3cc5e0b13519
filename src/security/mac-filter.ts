// MAC filter: deny and allow lists of addresses or OUI prefixes, and a "known clients only" mode that admits
// only clients with a reservation in their subnet.
import { rejection, type Rejection, type SecurityPacket, type Stage } from './stage.js';

const matches = (mac: string, entries: readonly string[]): boolean => entries.some((e) => mac.startsWith(e));

export function macFilterStage(): Stage {
  return {
    id: 'mac-filter',
    check(p: SecurityPacket): Rejection | undefined {
      const f = p.settings('macFilter');
      if (f === undefined) return undefined;
      if (f.deny.length > 0 && matches(p.hwAddress, f.deny)) return rejection('mac-filter', 'denied', { mac: p.hwAddress });
      if (f.allow.length > 0 && !matches(p.hwAddress, f.allow)) return rejection('mac-filter', 'not-allowed', { mac: p.hwAddress });
      if (f.knownClientsOnly && !isKnown(p)) return rejection('mac-filter', 'unknown-client', { mac: p.hwAddress });
      return undefined;
    },
  };
}

function isKnown(p: SecurityPacket): boolean {
  const subnet = p.subnet;
  if (subnet === undefined) return false;
  const clientId = p.clientKey.startsWith('id:') ? p.clientKey.slice(3) : undefined;
  return subnet.reservations.some((r) => (r.hwAddress !== undefined && r.hwAddress === p.hwAddress) || (clientId !== undefined && r.clientId === clientId));
}
