// Runs ELK layouts in a worker thread: elkjs computes synchronously for seconds on its first use, which on the
// daemon's thread would stall every packet meanwhile. Layouts asked for together share one worker (ELK warms up
// once); it is ended as soon as none is pending.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { ElkNode } from 'elkjs/lib/elk-api.js';

const ELK_PATH = createRequire(import.meta.url).resolve('elkjs/lib/elk.bundled.js');

// CommonJS source for an eval worker: it needs no loader for TypeScript or ES modules, under tsx or from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ELK = require(workerData.elkPath);
const elk = new ELK();
parentPort.on('message', ({ id, graph }) => {
  elk.layout(graph).then(
    (laid) => parentPort.postMessage({ id, laid }),
    (error) => parentPort.postMessage({ id, error: String((error && error.stack) || error) }),
  );
});
`;

interface Pending {
  readonly resolve: (laid: ElkNode) => void;
  readonly reject: (error: Error) => void;
}

let shared: { worker: Worker; pending: Map<number, Pending> } | undefined;
let nextId = 0;

function workerFor(): { worker: Worker; pending: Map<number, Pending> } {
  if (shared !== undefined) return shared;
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { elkPath: ELK_PATH } });
  const current = { worker, pending: new Map<number, Pending>() };
  const failAll = (error: Error): void => {
    for (const p of current.pending.values()) p.reject(error);
    current.pending.clear();
    if (shared === current) shared = undefined;
  };
  worker.on('message', (result: { id: number; laid?: ElkNode; error?: string }) => {
    const pending = current.pending.get(result.id);
    current.pending.delete(result.id);
    if (result.laid !== undefined) pending?.resolve(result.laid);
    else pending?.reject(new Error(`statechart layout failed: ${result.error ?? 'unknown'}`));
    if (current.pending.size === 0) {
      if (shared === current) shared = undefined;
      void worker.terminate();
    }
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`statechart layout worker exited with ${code}`)));
  shared = current;
  return current;
}

export function layoutInWorker(graph: ElkNode): Promise<ElkNode> {
  return new Promise((resolve, reject) => {
    const { worker, pending } = workerFor();
    const id = nextId++;
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, graph });
  });
}

/** Whether a worker is computing layouts now. */
export function layoutRunning(): boolean {
  return shared !== undefined;
}

/** A layout ended by stopLayouts (the listener closed): not a failure worth a warning. */
export class LayoutStopped extends Error {
  constructor() {
    super('statechart layout stopped');
  }
}

/** Ends the worker and fails the layouts it was computing, at once (a later request starts them again). */
export function stopLayouts(): void {
  const current = shared;
  if (current === undefined) return;
  shared = undefined;
  void current.worker.terminate();
  for (const p of current.pending.values()) p.reject(new LayoutStopped());
  current.pending.clear();
}
