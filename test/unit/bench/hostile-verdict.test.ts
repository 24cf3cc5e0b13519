// bench/hostile/verdict.ts: the full hostile run's exit code says whether issue 10's "done when" holds — each figure
// against the number, and a figure the output lacks counts as failed.
import { describe, expect, it } from 'vitest';
import { hostileChecks, verdict, type HostileRun } from '../../../bench/hostile/verdict.js';

const good: HostileRun = {
  sent: 1_000_000, rate: 19_990, forbiddenAnswered: 0, kernelDrops: 0, attackerDrops: 0,
  offerMs: [690, 2, 1, 3, 1, 2, 1, 1, 2, 1, 1], rssGrowthMb: 31.5, rssSeriesMb: [10, 20, 31], logBytes: 40_000,
};
const output = (run: HostileRun, flood = { sent: 100_000, probes: 11, probesBound: 11 }): string =>
  ` ✓ a hostile network (daemon) > garbage at rate: liveness probes answered\nhostile run: ${JSON.stringify(run)}\ndiscover flood: ${JSON.stringify(flood)}\n`;
const failed = (out: string): string[] => verdict(out, 20_000).filter((c) => !c.ok).map((c) => c.what);

describe("issue 10's full-run verdict", () => {
  it('holds when every figure is within the issue', () => {
    expect(failed(output(good))).toEqual([]);
  });

  it('fails on each figure past its limit', () => {
    expect(failed(output({ ...good, rssGrowthMb: 50 }))).toEqual(['RSS growth']);
    expect(failed(output({ ...good, logBytes: 5_000_000 }))).toEqual(['log written']);
    expect(failed(output({ ...good, forbiddenAnswered: 1 }))).toEqual(['packets answered that must not be']);
    expect(failed(output({ ...good, attackerDrops: 3 }))).toEqual(['replies the generator dropped unchecked']);
    expect(failed(output({ ...good, offerMs: [690, null, 1, 3, 1, 2, 1, 1, 2, 1, 1] }))).toEqual(['probes during the flood answered within 3 s']);
    expect(failed(output({ ...good, offerMs: [3_000, 2, 1, 3, 1, 2, 1, 1, 2, 1, 1] }))).toEqual(['probes during the flood answered within 3 s']);
    expect(failed(output({ ...good, offerMs: [690, 2, 1, 3, 1, 2, 1, 1, 2, 1, null] }))).toEqual(['probe after the flood answered within 3 s']);
    expect(failed(output({ ...good, rate: 15_000 }))).toEqual(['flood rate reached']);
    expect(failed(output(good, { sent: 100_000, probes: 11, probesBound: 10 }))).toEqual(['DISCOVER flood: probes that bound']);
  });

  it('fails when the test failed or printed no figures', () => {
    expect(failed(output(good).replace('✓', '×'))).toEqual(['test "garbage at rate…" passed']);
    expect(failed('')).toEqual(['hostile run', 'test "garbage at rate…" passed', 'discover flood']);
  });

  it('prints every probe latency and the RSS series', () => {
    const probes = hostileChecks(good, 20_000).find((c) => c.what.startsWith('probes during'))!;
    expect(probes.value).toBe('10/10 (OFFER ms: 690 2 1 3 1 2 1 1 2 1 1)');
    expect(hostileChecks(good, 20_000).find((c) => c.what === 'RSS growth')!.value).toContain('every 2 s: 10 20 31');
  });
});
