// The heap growth knob: read from the flags the process started with (none: V8's dynamic growth, left alone), and a
// change made at run time really changes how often V8 runs a mark-compact (a child node, the same allocations).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { v8HeapGrowth } from '../../../src/tuning/v8-heap.js';

/** Retains a sliding window of objects, so the old generation fills and is collected again and again. */
const CHURN = `
const { v8HeapGrowth } = await import(process.argv[1]);
const growth = v8HeapGrowth();
if (process.argv[2] !== 'keep') growth.setPercent(Number(process.argv[2]));
let marks = 0;
const { PerformanceObserver, constants } = await import('node:perf_hooks');
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (entry.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) marks++;
}).observe({ entryTypes: ['gc'] });
const kept = [];
for (let i = 0; i < 3e6; i++) {
  const o = { a: i, b: 'x' + i, c: [i] };
  if (i % 3 === 0) kept.push(o);
  if (kept.length > 300000) kept.splice(0, 150000);
}
setTimeout(() => console.log(marks), 20);
`;

function markCompacts(percent: 'keep' | number): number {
  const module = new URL('../../../src/tuning/v8-heap.ts', import.meta.url).pathname;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--heap-growing-percent=25', '--input-type=module', '-e', CHURN, module, String(percent)], {
    encoding: 'utf8', timeout: 60_000,
  });
  return Number(out.trim());
}

describe('v8HeapGrowth', () => {
  it('reads the growth the process started with (the last flag given), and nothing without one', () => {
    expect(v8HeapGrowth(['--max-semi-space-size=32', '--heap-growing-percent=25'])?.startPercent).toBe(25);
    expect(v8HeapGrowth(['--heap_growing_percent=50', '--heap-growing-percent=30'])?.startPercent).toBe(30);
    expect(v8HeapGrowth(['--max-semi-space-size=32'])).toBeUndefined();
    expect(v8HeapGrowth(['--heap-growing-percent=0'])).toBeUndefined();
  });

  it('changes V8\'s growth at run time: fewer mark-compacts at 100 % than at the 25 % the process started with', () => {
    const kept = markCompacts('keep');
    const raised = markCompacts(100);
    expect(kept).toBeGreaterThan(raised);
    expect(raised).toBeGreaterThan(0);
  }, 120_000);
});
