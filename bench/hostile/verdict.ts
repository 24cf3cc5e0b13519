// Issue 10's "done when" for the full hostile run, checked on the figures test/integration/hostile.test.ts prints
// ("hostile run: {...}", "discover flood: {...}"): bench/hostile/full-run.sh pipes the test's output here, and the
// exit code says whether every figure holds.
//   npx vitest run test/integration/hostile.test.ts | npx tsx bench/hostile/verdict.ts [askedRate=20000]

/** The garbage run's figures, as the test prints them. */
export interface HostileRun {
  sent: number; rate: number; forbiddenAnswered: number; kernelDrops: number;
  /** Replies the generator's socket dropped (its namespace's RcvbufErrors): each one unchecked. */
  attackerDrops: number;
  /** ms to the OFFER per probe, in order; null: none within 3 s. The last probe starts after the flood. */
  offerMs: (number | null)[];
  rssGrowthMb: number; rssSeriesMb: number[]; logBytes: number;
}
/** The DISCOVER-only flood's figures (probes bound during and after it). */
export interface DiscoverFlood { sent: number; probes: number; probesBound: number }

export interface Check { what: string; value: string; limit: string; ok: boolean }

export const LIMITS = { rssGrowthMb: 50, logBytes: 5_000_000, probeMs: 3_000, targetProbeMs: 100, minRateShare: 0.95 };

export function hostileChecks(run: HostileRun, askedRate: number): Check[] {
  const during = run.offerMs.slice(0, -1);
  const inTime = during.filter((ms) => ms !== null && ms < LIMITS.probeMs).length;
  const latencies = run.offerMs.map((ms) => (ms === null ? '-' : String(Math.round(ms)))).join(' ');
  const last = run.offerMs.at(-1);
  return [
    // A run the generator could not drive at the asked rate (a loaded host) is not the run.
    { what: 'flood rate reached', value: `${run.rate} pps`, limit: `>= ${LIMITS.minRateShare * 100} % of ${askedRate}`, ok: run.rate >= askedRate * LIMITS.minRateShare },
    { what: 'packets answered that must not be', value: String(run.forbiddenAnswered), limit: '0', ok: run.forbiddenAnswered === 0 },
    { what: 'replies the generator dropped unchecked', value: String(run.attackerDrops), limit: '0', ok: run.attackerDrops === 0 },
    { what: 'probes during the flood answered within 3 s', value: `${inTime}/${during.length} (OFFER ms: ${latencies})`, limit: `all (target < ${LIMITS.targetProbeMs} ms)`, ok: during.length > 0 && inTime === during.length },
    { what: 'probe after the flood answered within 3 s', value: last === null || last === undefined ? 'no' : `${Math.round(last)} ms`, limit: 'yes', ok: last !== null && last !== undefined && last < LIMITS.probeMs },
    { what: 'RSS growth', value: `${run.rssGrowthMb.toFixed(1)} MB (every 2 s: ${run.rssSeriesMb.join(' ')})`, limit: `< ${LIMITS.rssGrowthMb} MB`, ok: run.rssGrowthMb < LIMITS.rssGrowthMb },
    { what: 'log written', value: `${(run.logBytes / 1e6).toFixed(2)} MB`, limit: `< ${LIMITS.logBytes / 1e6} MB`, ok: run.logBytes < LIMITS.logBytes },
    // Not a "done when" figure, but what explains a probe lost: datagrams the kernel dropped (socket buffer full).
    { what: 'kernel drops (RcvbufErrors)', value: String(run.kernelDrops), limit: 'reported', ok: true },
  ];
}

export function floodChecks(flood: DiscoverFlood): Check[] {
  return [{ what: 'DISCOVER flood: probes that bound', value: `${flood.probesBound}/${flood.probes}`, limit: 'all', ok: flood.probes > 0 && flood.probesBound === flood.probes }];
}

/** The checks for one full run's output; a figure the output lacks is a failed check (the test did not get there). */
export function verdict(output: string, askedRate: number): Check[] {
  const line = (label: string): unknown => {
    const m = new RegExp(`${label}: (\\{.*\\})`).exec(output);
    return m === null ? undefined : JSON.parse(m[1]!);
  };
  const run = line('hostile run') as HostileRun | undefined;
  const flood = line('discover flood') as DiscoverFlood | undefined;
  const missing = (what: string): Check => ({ what, value: 'missing from the output', limit: 'printed', ok: false });
  const passed = (name: string): Check => {
    const ok = new RegExp(`✓[^\\n]*${name}`).test(output);
    return { what: `test "${name}…" passed`, value: ok ? 'yes' : 'no', limit: 'yes', ok };
  };
  return [
    ...(run === undefined ? [missing('hostile run')] : hostileChecks(run, askedRate)),
    // The test's own assertions: a real client binds after the flood (the daemon is alive).
    passed('garbage at rate'),
    ...(flood === undefined ? [missing('discover flood')] : floodChecks(flood)),
  ];
}

export function render(checks: Check[]): string {
  return checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.what}: ${c.value}  [${c.limit}]`).join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // vitest colours its output: strip the escapes before matching.
  // eslint-disable-next-line no-control-regex
  const output = Buffer.concat(chunks).toString('utf8').replace(/\u001b\[[0-9;]*m/g, '');
  const checks = verdict(output, Number(process.argv[2] ?? 20_000));
  console.log(render(checks));
  const failed = checks.filter((c) => !c.ok).length;
  console.log(failed === 0 ? "issue 10's full-run figures: all hold" : `issue 10's full-run figures: ${failed} do not hold`);
  process.exitCode = failed === 0 ? 0 : 1;
}
