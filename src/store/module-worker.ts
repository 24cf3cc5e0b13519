// A worker thread running one of this directory's modules: from dist/ as built, or from source through tsx's require
// hook (tests, benches): a worker does not get the ESM loader hooks of its parent (Node 20).
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** `name`: the module's file name without its extension (this module's own: .js built, .ts from source). */
export function moduleWorker(name: string, workerData: unknown): Worker {
  const entry = new URL(`./${name}${extname(fileURLToPath(import.meta.url))}`, import.meta.url);
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData });
  const tsx = createRequire(import.meta.url).resolve('tsx/cjs');
  return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(fileURLToPath(entry))});`, { eval: true, workerData });
}
