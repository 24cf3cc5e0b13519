// Offers in their conflict-check probe (docs/protocol.md "Offers yield under pressure"): such an address has not
// been checked yet, so it is offered to no one else before its probe ends, not even unreserved (offer-unreserved.ts),
// and a REQUEST of an unreserved offer does not take it (handlers/unreserved-win.ts). Concurrent DISCOVERs for a full
// pool once took an offer from one another mid-probe until one ran out of candidates, with OFFERs sent for addresses
// already gone. Once its OFFER is sent the offer is no longer tracked here.
//
// A DISCOVER that finds every offer of a full pool in its probe joins one (offer-joined.ts): it waits here for that
// probe's end, shared by all its joiners (one promise and at most one timer per probe), and is then answered from
// what the probe left in the book. Bounded: JOINS_PER_PROBE waiters per probe, JOINS_MAX in all; they go with the
// probe's entry when it ends, is replaced, or lapses.
import type { Clock, TimerHandle } from '../clock.js';
import type { LeaseRecord } from '../../machines/lease.types.js';

/** DISCOVERs waiting for one probe: they are all offered its address, and only one REQUEST can win it. */
export const JOINS_PER_PROBE = 16;
/** DISCOVERs waiting for probes in all: each holds its exchange (~1 KB) until its probe ends. */
export const JOINS_MAX = 1_024;
/**
 * A probe cut short (its exchange stopped) wakes its joiners this long after its timeout: the ICMP timeout of a probe
 * that did run ends it first, with its OFFER.
 */
export const JOIN_GRACE_MS = 250;

interface Joined {
  /** Resolved when the probe's entry goes (its OFFER sent, a conflict, replaced, or lapsed). */
  readonly ended: Promise<void>;
  readonly wake: () => void;
  readonly clients: Set<string>;
  timer?: TimerHandle;
}

interface Probe {
  readonly clientKey: string;
  /** The offer's `changedAt` when it was held: a later record of the address is another offer. */
  readonly changedAt: number;
  /** Epoch ms the probe ends at the latest (its timeout): a probe cut short (its transaction stopped) ends there. */
  readonly until: number;
  joined?: Joined;
}

/**
 * One entry per address whose offer is in its probe, in the order they were held. Sent offers leave at once and
 * lapsed ones at the front go on each hold: bounded by the probes in flight (`conflictCheck.maxConcurrent`).
 */
export class ProbingOffers {
  private readonly probes = new Map<string, Probe>();
  private joins = 0;

  constructor(private readonly clock: Pick<Clock, 'setTimer'>) {}

  /** A DISCOVER just held (or re-held) this offer: in its probe for at most `probeMs` (0: no probe, sent now). */
  held(record: LeaseRecord, now: number, probeMs: number): void {
    // No probe to start and none under way (the conflict check off: every DISCOVER of the benchmarks): nothing to
    // replace or sweep, and no two hash probes per offer for it.
    if (probeMs <= 0 && this.probes.size === 0) return;
    const { ip, clientKey, changedAt } = record.context;
    this.remove(ip);
    if (probeMs > 0) this.probes.set(ip, { clientKey, changedAt, until: now + probeMs });
    this.sweep(now);
  }

  /**
   * The probe of the client's offer ended: its OFFER goes out now, or the address answered (put on probation), or
   * the offer went meanwhile. Called once that outcome is in the book: the probe's joiners read it there.
   */
  ended(ip: string, clientKey: string): void {
    if (this.probes.get(ip)?.clientKey === clientKey) this.remove(ip);
  }

  /** Is this offer in its conflict-check probe at `at`. An entry that names an earlier offer of the address goes. */
  inProbe(record: LeaseRecord, at: number): boolean {
    const { ip, clientKey, changedAt } = record.context;
    const probe = this.probes.get(ip);
    if (probe === undefined) return false;
    const same = record.state === 'offered' && probe.clientKey === clientKey && probe.changedAt === changedAt;
    if (!same) this.remove(ip);
    return same && at < probe.until;
  }

  /** DISCOVERs waiting for this probe; 0 when the address is not in its probe. */
  joinersOf(ip: string): number {
    return this.probes.get(ip)?.joined?.clients.size ?? 0;
  }

  /**
   * The client waits for the end of this offer's probe (the offer must be in it at `now`). False past the bounds:
   * then it is not waiting.
   */
  join(record: LeaseRecord, clientKey: string, now: number): boolean {
    if (this.joins >= JOINS_MAX || !this.inProbe(record, now)) return false;
    const probe = this.probes.get(record.context.ip)!;
    const joined = probe.joined ?? (probe.joined = this.joinedFor(record.context.ip, probe, now));
    if (joined.clients.size >= JOINS_PER_PROBE) return false;
    if (!joined.clients.has(clientKey)) this.joins++;
    joined.clients.add(clientKey);
    return true;
  }

  /** Resolves when the probe the client joined at this address ends (at once if it has ended already). */
  endOf(ip: string, clientKey: string): Promise<void> {
    const joined = this.probes.get(ip)?.joined;
    return joined?.clients.has(clientKey) === true ? joined.ended : Promise.resolve();
  }

  get size(): number {
    return this.probes.size;
  }

  /** DISCOVERs waiting for a probe's end. */
  get joined(): number {
    return this.joins;
  }

  private joinedFor(ip: string, probe: Probe, now: number): Joined {
    let wake!: () => void;
    const ended = new Promise<void>((resolve) => (wake = resolve));
    const joined: Joined = { ended, wake, clients: new Set() };
    joined.timer = this.clock.setTimer(probe.until - now + JOIN_GRACE_MS, () => {
      if (this.probes.get(ip) === probe) this.remove(ip);
    });
    return joined;
  }

  /** The entry goes; its joiners wake, and judge the address by what the probe left in the book. */
  private remove(ip: string): void {
    const joined = this.probes.get(ip)?.joined;
    this.probes.delete(ip);
    if (joined === undefined) return;
    joined.timer?.cancel();
    this.joins -= joined.clients.size;
    joined.wake();
  }

  private sweep(now: number): void {
    for (const [ip, probe] of this.probes) {
      if (probe.until > now) return;
      // A lapsed probe with joiners goes at its own timer (JOIN_GRACE_MS later), not before.
      if (probe.joined !== undefined) continue;
      this.probes.delete(ip);
    }
  }
}
