// The checkpoint worker's niceness (merge-priority.ts): its own thread's, never the daemon's main thread's.
import { createRequire } from 'node:module';
import { getPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { MERGE_NICE } from '../../../src/store/merge-priority.js';

const MODULE = fileURLToPath(new URL('../../../src/store/merge-priority.ts', import.meta.url));

describe('merge priority', () => {
  it.skipIf(process.platform !== 'linux')('nices the worker thread that calls it, not the main thread', async () => {
    const tsx = createRequire(import.meta.url).resolve('tsx/cjs');
    const source = `require(${JSON.stringify(tsx)});
      const { niceThisThread } = require(${JSON.stringify(MODULE)});
      const { getPriority } = require('node:os');
      require('node:worker_threads').parentPort.postMessage([niceThisThread(), getPriority()]);`;
    const before = getPriority();
    const worker = new Worker(source, { eval: true });
    const reply = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(reply).toEqual([true, MERGE_NICE]);
    expect(getPriority()).toBe(before);
  });
});
