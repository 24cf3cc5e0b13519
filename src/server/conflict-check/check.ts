// The transaction's `checkConflict` effect (the lease-allocation flow's "Check IP Conflict", RFC 2131 §4.4.1):
// an OFFER of an address new to the client goes out only if the address stays silent to an ICMP echo. One that
// answers is put on decline probation (stored) and the transaction chooses again, up to `maxCandidates` addresses.
import type { CheckConflictInput } from '../../../machines/transaction.machine.js';
import { briefError } from '../../aggregated-log.js';
import { LeaseError } from '../../errors.js';
import { drop, type Reply } from '../decision.js';
import type { ServerDeps } from '../deps.js';
import { persist } from '../persist.js';
import type { ProbeGate, ProbeOutcome } from './probes.js';
import { joinedProbe } from './joined.js';
import { checked, type ConflictVerdict } from './verdict.js';

export async function checkConflict(deps: ServerDeps, gate: ProbeGate, input: CheckConflictInput): Promise<ConflictVerdict> {
  const { decision } = input;
  if (decision.kind !== 'reply' || decision.ip === undefined) return checked(decision);
  if (decision.joinsProbe === true) return joinedProbe(deps, input, { ...decision, ip: decision.ip });
  if (decision.probe !== true) return checked(decision);
  try {
    return await probed(deps, gate, input, decision, decision.ip);
  } finally {
    // The outcome is in the book (an OFFER to send, or probation): the DISCOVERs that joined this probe wake and
    // read it there (joined.ts). Before this one's answer goes out, so its OFFER is sent before theirs.
    deps.probingOffers.ended(decision.ip, input.packet.clientKey);
  }
}

async function probed(deps: ServerDeps, gate: ProbeGate, input: CheckConflictInput, decision: Reply, ip: string): Promise<ConflictVerdict> {
  const outcome = await gate.probe(ip);
  if (outcome.kind === 'in-use') return onProbation(deps, input, ip, outcome);
  if (heldFor(deps, ip, input.packet.clientKey)) return checked(decision);
  // The offer went during the probe — a reload withdrew it or its hold ran out; no REQUEST takes an offer in its
  // probe (probing-offers.ts). The client chooses again (bounded like conflicts) instead of being sent an OFFER
  // its REQUEST would find gone.
  return input.conflicts + 1 < deps.config().conflictCheck.maxCandidates ? { kind: 'conflict' } : checked(drop('pool-exhausted'));
}

const heldFor = (deps: ServerDeps, ip: string, clientKey: string): boolean => {
  const held = deps.book.get(ip);
  return held?.state === 'offered' && held.context.clientKey === clientKey;
};

/** The held offer becomes a declined address; the client gets the next candidate, or silence past the bound. */
async function onProbation(deps: ServerDeps, input: CheckConflictInput, ip: string, by: Extract<ProbeOutcome, { kind: 'in-use' }>): Promise<ConflictVerdict> {
  const { clientKey, request } = input.packet;
  const held = deps.book.get(ip);
  // The offer may have gone during the probe (a reload withdrew it): then this client just chooses again.
  // The lease history names the answer, not the DISCOVER, as the cause of this transition.
  const book = deps.book.withCause({ xid: request.xid, message: `ICMP echo reply from ${by.from}${by.mac !== undefined ? ` (${by.mac})` : ''}` });
  const change = held?.state === 'offered' && held.context.clientKey === clientKey
    ? book.send(ip, { type: 'lease.conflict', now: deps.clock.now(), probationMs: deps.config().declineProbationMs })
    : undefined;
  if (change !== undefined) {
    if (!(await persist({ ...deps, book }, change))) return checked(drop('store-unavailable'));
    deps.stats.count(deps.stats.events, 'lease.conflict');
    const err = new LeaseError('DHCPD_ERR_LEASE_IN_USE', `${ip} answered an ICMP echo before it was offered`);
    deps.log.warn({
      evt: 'lease.conflict', err: briefError(err), ip, client: clientKey, xid: request.xid, answeredBy: by.from,
      ...(by.mac !== undefined ? { mac: by.mac } : {}), probationUntil: change.after.context.probationUntil,
    }, 'address in use by a host the server does not know: held back for probation');
  }
  const tried = input.conflicts + 1;
  if (tried < deps.config().conflictCheck.maxCandidates) return { kind: 'conflict' };
  deps.log.warn({ evt: 'conflict_check.gave_up', client: clientKey, xid: request.xid, tried },
    'every address probed for this client is in use: no offer (the client will retry)');
  return checked(drop('address-in-use'));
}
