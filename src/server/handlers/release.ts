// DHCPRELEASE and DHCPDECLINE (RFC 2131 §4.3.3, §4.3.4): the client gives an address back, or reports it in
// use by someone else; neither gets a reply.
import { getIpOption } from '../../codec/index.js';
import type { DhcpRequest } from '../../codec/types.js';
import type { Subnet } from '../../config/types.js';
import type { Inbound } from '../../net/types.js';
import { drop, type Decision } from '../decision.js';
import type { ServerDeps } from '../deps.js';
import { persist } from '../persist.js';

interface Input {
  readonly request: DhcpRequest;
  readonly inbound: Inbound;
  readonly clientKey: string;
  readonly subnet: Subnet;
}

/** Both must name us in option 54 and concern the client's own lease. */
function ownLease(deps: ServerDeps, input: Input, ip: string | undefined): string | undefined {
  if (ip === undefined) return undefined;
  if (getIpOption(input.request, 54) !== deps.serverIdFor(input.subnet, input.inbound)) return undefined;
  const lease = deps.book.get(ip);
  return lease?.context.clientKey === input.clientKey ? ip : undefined;
}

export async function handleRelease(deps: ServerDeps, input: Input): Promise<Decision> {
  const ip = ownLease(deps, input, input.request.ciaddr);
  if (ip === undefined) return drop('not-for-us');
  const change = deps.book.send(ip, { type: 'lease.release', now: deps.clock.now() });
  if (change === undefined) return drop('not-for-us');
  await persist(deps, change);
  deps.log.info({ evt: 'lease.released', ip, client: input.clientKey, xid: input.request.xid }, 'lease released');
  return drop('handled');
}

export async function handleDecline(deps: ServerDeps, input: Input): Promise<Decision> {
  const ip = ownLease(deps, input, getIpOption(input.request, 50));
  if (ip === undefined) return drop('not-for-us');
  const now = deps.clock.now();
  const config = deps.config();
  const change = deps.book.send(ip, { type: 'lease.decline', now, probationMs: config.declineProbationMs });
  if (change === undefined) return drop('not-for-us');
  await persist(deps, change);
  const withinLimit = deps.declines.record(input.clientKey, now);
  deps.log.warn(
    { evt: 'lease.declined', ip, client: input.clientKey, xid: input.request.xid, probationUntil: change.after.context.holdUntil,
      overLimit: !withinLimit },
    'address declined: held back for probation',
  );
  return drop('handled');
}
