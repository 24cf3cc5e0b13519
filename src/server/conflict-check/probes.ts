// Runs the conflict check's probes: opens the ICMP prober at the first need (or says once that it cannot), trusts
// an address that stayed silent for `cacheMs` (bounded), caps the probes in flight, and reports what it could not
// check as counters and aggregated log lines.
import { briefError, type AggregatedLog } from '../../aggregated-log.js';
import type { Clock } from '../../clock.js';
import type { ConflictCheckPolicy } from '../../config/types.js';
import { classify, type DhcpdError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { EchoProber } from '../../net/icmp-prober.js';
import type { Stats } from '../stats.js';

export type ProbeOutcome =
  | { readonly kind: 'in-use'; readonly from: string; readonly mac?: string }
  | { readonly kind: 'free'; readonly cached: boolean }
  | { readonly kind: 'unchecked'; readonly reason: UncheckedReason };

/** unavailable: no ICMP socket; busy: `maxConcurrent` probes in flight; send-failed: the echo could not be sent. */
export type UncheckedReason = 'unavailable' | 'busy' | 'send-failed';

export interface ProbeGateOptions {
  /** The config in force (read per probe, so a reload applies). */
  readonly policy: () => ConflictCheckPolicy;
  readonly clock: Clock;
  readonly log: Logger;
  readonly stats: Stats;
  readonly notices: AggregatedLog;
  /** Opens the ICMP prober; throws a DhcpdError saying why it cannot. Absent: the check is unavailable. */
  readonly open?: () => EchoProber;
}

export class ProbeGate {
  private prober: EchoProber | undefined;
  private unavailable = false;
  private inFlight = 0;
  /** Address → until when its silence is trusted; oldest first (re-inserted on refresh). */
  private readonly silentUntil = new Map<string, number>();

  constructor(private readonly options: ProbeGateOptions) {}

  async probe(ip: string): Promise<ProbeOutcome> {
    const policy = this.options.policy();
    if (this.trusted(ip)) {
      this.options.stats.count(this.options.stats.events, 'conflict_check.cached');
      return { kind: 'free', cached: true };
    }
    const prober = this.proberOrNothing();
    if (prober === undefined) return this.unchecked('unavailable', ip);
    if (this.inFlight >= policy.maxConcurrent) return this.unchecked('busy', ip);
    this.inFlight++;
    this.options.stats.count(this.options.stats.events, 'conflict_check.probed');
    let result: Awaited<ReturnType<EchoProber['probe']>>;
    try {
      result = await prober.probe(ip, policy.timeoutMs);
    } finally {
      this.inFlight--;
    }
    switch (result.kind) {
      case 'reply':
        this.silentUntil.delete(ip);
        return { kind: 'in-use', from: result.from, ...(result.mac !== undefined ? { mac: result.mac } : {}) };
      case 'silent':
        this.remember(ip, policy);
        return { kind: 'free', cached: false };
      case 'error':
        return this.unchecked('send-failed', ip, result.error);
    }
  }

  close(): void {
    this.prober?.close();
    this.prober = undefined;
  }

  private trusted(ip: string): boolean {
    const until = this.silentUntil.get(ip);
    if (until === undefined) return false;
    if (until > this.options.clock.now()) return true;
    this.silentUntil.delete(ip);
    return false;
  }

  private remember(ip: string, policy: ConflictCheckPolicy): void {
    if (policy.cacheMs === 0) return;
    this.silentUntil.delete(ip);
    while (this.silentUntil.size >= policy.maxCacheEntries) this.silentUntil.delete(this.silentUntil.keys().next().value!);
    this.silentUntil.set(ip, this.options.clock.now() + trustSpan(ip, policy.cacheMs));
  }

  private proberOrNothing(): EchoProber | undefined {
    if (this.prober !== undefined || this.unavailable) return this.prober;
    try {
      if (this.options.open === undefined) throw new TypeError('no ICMP prober was provided');
      this.prober = this.options.open();
    } catch (error) {
      this.unavailable = true;
      this.options.log.warn({ evt: 'conflict_check.unavailable', err: classify(error) },
        'conflict check unavailable: addresses are offered without an ICMP probe');
    }
    return this.prober;
  }

  /** Counted each time and logged aggregated (unavailable: logged once, when the prober failed to open). */
  private unchecked(reason: UncheckedReason, ip: string, error?: DhcpdError): ProbeOutcome {
    const { stats, notices } = this.options;
    stats.count(stats.events, `conflict_check.${reason}`);
    if (reason !== 'unavailable') {
      notices.note('warn', 'conflict_check.skipped', reason, 'address offered without a conflict check', {
        ip, ...(error !== undefined ? { err: briefError(error) } : {}),
      });
    }
    return { kind: 'unchecked', reason };
  }
}

/**
 * How long this address's silence is trusted: between half and all of `cacheMs`, fixed per address. Addresses probed
 * together (a pool offered in one burst, a DISCOVER flood reclaiming every offer) would otherwise all fall due
 * together and be probed again together, shielding every offer of the pool at once for a whole probe (the flood's
 * legitimate DISCOVER then finds nothing to take). A spread derived from the address keeps replays deterministic.
 */
export function trustSpan(ip: string, cacheMs: number): number {
  let hash = 0;
  for (let i = 0; i < ip.length; i++) hash = Math.imul(hash ^ ip.charCodeAt(i), 0x9e3779b1);
  const fraction = ((hash ^ (hash >>> 15)) >>> 0) / 2 ** 32;
  return Math.ceil(cacheMs * (0.5 + fraction / 2));
}
