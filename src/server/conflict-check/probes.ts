// Runs the conflict check's probes: opens the ICMP prober at the first need (or says once that it cannot), trusts
// an address that stayed silent for `cacheMs` (bounded), caps the probes in flight, and reports what it could not
// check as counters and at most one log line per reason per 10 s.
import type { Clock } from '../../clock.js';
import type { ConflictCheckPolicy } from '../../config/types.js';
import { classify } from '../../errors.js';
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
  /** Opens the ICMP prober; throws a DhcpdError saying why it cannot. Absent: the check is unavailable. */
  readonly open?: () => EchoProber;
}

const REPORT_INTERVAL_MS = 10_000;

export class ProbeGate {
  private prober: EchoProber | undefined;
  private unavailable = false;
  private inFlight = 0;
  /** Address → until when its silence is trusted; oldest first (re-inserted on refresh). */
  private readonly silentUntil = new Map<string, number>();
  private readonly reported = new Map<UncheckedReason, { at: number; since: number }>();

  constructor(private readonly options: ProbeGateOptions) {}

  async probe(ip: string): Promise<ProbeOutcome> {
    const policy = this.options.policy();
    if (this.trusted(ip)) {
      this.options.stats.count(this.options.stats.events, 'conflict_check.cached');
      return { kind: 'free', cached: true };
    }
    const prober = this.proberOrNothing();
    if (prober === undefined) return this.unchecked('unavailable');
    if (this.inFlight >= policy.maxConcurrent) return this.unchecked('busy');
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
        return this.unchecked('send-failed', result.error);
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
    this.silentUntil.set(ip, this.options.clock.now() + policy.cacheMs);
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

  /** Counted each time; logged at most once per reason per interval (unavailable: once, when the prober failed). */
  private unchecked(reason: UncheckedReason, error?: unknown): ProbeOutcome {
    const { stats, clock, log } = this.options;
    stats.count(stats.events, `conflict_check.${reason}`);
    if (reason === 'unavailable') return { kind: 'unchecked', reason };
    const last = this.reported.get(reason);
    if (last !== undefined && clock.now() - last.at < REPORT_INTERVAL_MS) {
      last.since++;
      return { kind: 'unchecked', reason };
    }
    this.reported.set(reason, { at: clock.now(), since: 0 });
    log.warn({ evt: 'conflict_check.skipped', reason, count: (last?.since ?? 0) + 1, ...(error !== undefined ? { err: classify(error) } : {}) },
      'address offered without a conflict check');
    return { kind: 'unchecked', reason };
  }
}
