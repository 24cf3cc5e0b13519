// Whole-server model-based properties (issue 6, item 4): generated command lists of DISCOVER, REQUEST in every
// client state, RELEASE, DECLINE, INFORM, time, reloads, crashes and restarts, checked against a simple model.
// A failure prints the seed, the path and the shrunk commands; replay with PROPERTY_SEED=… PROPERTY_PATH=….
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coverage, resetCoverage } from './harness/coverage.js';
import { pressureArbs } from './harness/arbitraries.js';
import { runSettings, serverModelProperty } from './harness/property.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

/** Answers the generator must reach in a default run, or the property proves little. */
const MUST_SEE = [
  'discover:offer', 'discover:silent', 'selecting:ack', 'selecting:nak', 'init-reboot:ack', 'init-reboot:nak',
  'init-reboot:silent', 'renewing:ack', 'renewing:nak', 'rebinding:ack', 'rebinding:nak', 'other-server:silent',
  'release:freed', 'decline:probation', 'inform:ack', 'crash:with-bindings', 'advance:grace-over', 'advance:in-grace',
  'blocked', 'burst:concurrent-commits', 'crash:mid-commit', 'reload:changed', 'reload:subnet-added', 'reload:offer-withdrawn',
  // Every decision box of the renewal flow, both sides of the grace period's end.
  'renew-found', 'renew-expired', 'renew-grace:within', 'renew-grace:over', 'renew-subnet', 'renew-address', 'renew-ack',
];

describe('whole server against the model', () => {
  it('memory-level store: every invariant holds after every command', async () => {
    const missing = await runUntilSeen(MUST_SEE, () => fc.assert(serverModelProperty({ disk: 'memory' }), runSettings(RUNS)));
    if (RUNS >= 100) expect(missing).toEqual([]);
  }, 3_600_000);

  it('offers do not reserve under pressure: full pools, REQUESTs racing for their addresses', async () => {
    const mustSee = ['crowd:unreserved', 'selecting:unreserved-won', 'selecting:unreserved-lapsed', 'discover:joined-probe'];
    const property = serverModelProperty({ disk: 'memory', maxCommands: 12, arbs: pressureArbs });
    const missing = await runUntilSeen(mustSee, () => fc.assert(property, runSettings(Math.ceil(RUNS / 3))));
    if (RUNS >= 100) expect(missing).toEqual([]);
  }, 3_600_000);

  it('LevelDB store in a temp dir: every invariant holds after every command', async () => {
    // LevelDB opens a database per incarnation (~3 runs/s): a tenth of the runs, at most PROPERTY_LEVEL_RUNS.
    const runs = Math.min(Math.max(5, Math.ceil(RUNS / 10)), Number(process.env.PROPERTY_LEVEL_RUNS ?? 1000));
    await fc.assert(serverModelProperty({ disk: 'level', maxCommands: 25 }), runSettings(runs));
  }, 3_600_000);
});

/**
 * Runs the property, and again with fresh random commands (at most MAX_ROUNDS times) while an answer it must reach
 * has not been seen: the rarest (about 3 in a default round) would otherwise fail a correct run now and then. A
 * generator that cannot reach one still fails. Returns what is still missing.
 */
async function runUntilSeen(mustSee: readonly string[], run: () => Promise<void>): Promise<string[]> {
  const MAX_ROUNDS = 3;
  resetCoverage();
  let missing: string[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    await run();
    missing = mustSee.filter((k) => !coverage.has(k));
    if (missing.length === 0 || process.env.PROPERTY_SEED !== undefined) break;
  }
  if (process.env.PROPERTY_STATS) console.log(Object.fromEntries([...coverage].sort()));
  return missing;
}
