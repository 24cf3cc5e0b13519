// Long mode of the whole-server model outside vitest, in chunks with their own seeds, printing progress and
// runs/s as it goes (vitest reports only at the end). A failing chunk prints its seed, path and shrunk commands.
//   PROPERTY_RUNS=100000 PROPERTY_MINUTES=90 npx tsx property-tests/long-run.ts [memory|level]
import fc from 'fast-check';
import { coverage } from './harness/coverage.js';
import { serverModelProperty } from './harness/property.js';

const total = Number(process.env.PROPERTY_RUNS ?? 100_000);
const chunk = Number(process.env.PROPERTY_CHUNK ?? 1_000);
const budgetMs = Number(process.env.PROPERTY_MINUTES ?? 120) * 60_000;
const disk = process.argv[2] === 'level' ? 'level' : 'memory';

async function main(): Promise<number> {
  const start = Date.now();
  let done = 0;
  while (done < total) {
    if (Date.now() - start > budgetMs) {
      console.log(`time budget over: ${done} runs in ${((Date.now() - start) / 1000).toFixed(0)} s`);
      return 2;
    }
    const runs = Math.min(chunk, total - done);
    const seed = (start + done) | 0;
    await fc.assert(serverModelProperty({ disk }), { numRuns: runs, seed, verbose: 1 });
    done += runs;
    const s = (Date.now() - start) / 1000;
    console.log(`${done}/${total} runs (${disk}) passed, last seed ${seed}, ${s.toFixed(0)} s, ${(done / s).toFixed(1)} runs/s`);
  }
  console.log(`all ${total} runs passed in ${((Date.now() - start) / 1000).toFixed(0)} s; coverage ${JSON.stringify(Object.fromEntries(coverage))}`);
  return 0;
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
