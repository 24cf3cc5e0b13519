// DHCPRELEASE and DHCPDECLINE (RFC 2131 §4.3.3, §4.3.4): the client gives an address back, or reports it in
// use by someone else; neither gets a reply.
import { getIpOption } from '../../codec/index.js';
import { ACCEPTED, drop, type Decision } from '../decision.js';
import type { ServerDeps } from '../deps.js';
import { persist } from '../persist.js';
import type { HandlerInput } from './input.js';

/** Both must name us in option 54 and concern the client's own lease. */
function ownLease(deps: ServerDeps, input: HandlerInput, ip: string | undefined): string | undefined {
  if (ip === undefined) return undefined;
  if (getIpOption(input.request, 54) !== deps.serverIdFor(input.subnet, input.inbound)) return undefined;
  const lease = deps.book.get(ip);
  return lease?.context.clientKey === input.clientKey ? ip : undefined;
}

export async function handleRelease(deps: ServerDeps, input: HandlerInput): Promise<Decision> {
  const ip = ownLease(deps, input, input.request.ciaddr);
  if (ip === undefined) return ignored(deps, input, 'release', input.request.ciaddr);
  const change = deps.book.send(ip, { type: 'lease.release', now: deps.clock.now() });
  if (change === undefined) return ignored(deps, input, 'release', ip);
  if (!(await persist(deps, change))) return drop('store-unavailable');
  deps.log.info({ evt: 'lease.released', reason: 'client-release', ip, client: input.clientKey, xid: input.request.xid },
    'lease released');
  return ACCEPTED;
}

/**
 * The address goes on probation (not offered to anyone, the declining client included). A client over its
 * decline limit is not believed any more: its decline is dropped and, for the window, all its requests too.
 */
export async function handleDecline(deps: ServerDeps, input: HandlerInput): Promise<Decision> {
  const ip = ownLease(deps, input, getIpOption(input.request, 50));
  if (ip === undefined) return ignored(deps, input, 'decline', getIpOption(input.request, 50));
  const now = deps.clock.now();
  if (!deps.declines.record(input.clientKey, now)) {
    deps.log.warn({ evt: 'lease.decline_limit', ip, client: input.clientKey, xid: input.request.xid },
      'too many declines from this client: ignored for the probation window');
    return drop('decline-limit');
  }
  const change = deps.book.send(ip, { type: 'lease.decline', now, probationMs: deps.config().declineProbationMs });
  if (change === undefined) return ignored(deps, input, 'decline', ip);
  if (!(await persist(deps, change))) return drop('store-unavailable');
  deps.log.warn(
    { evt: 'lease.declined', ip, client: input.clientKey, xid: input.request.xid, probationUntil: change.after.context.probationUntil },
    'address declined: held back for probation',
  );
  return ACCEPTED;
}

/** Not ours, not the client's, or not in a state that takes it: silence, with a debug line to explain it. */
function ignored(deps: ServerDeps, input: HandlerInput, what: string, ip: string | undefined): Decision {
  deps.log.debug({ evt: `dhcp.${what}_ignored`, ip, client: input.clientKey, xid: input.request.xid });
  return drop('not-for-us');
}
