// A checkpoint's snapshot, merged and written in a worker thread (checkpoint.ts): reading the 10^6-lease base file,
// rebuilding its table, packing the changes and writing ~110 MB would otherwise stall the daemon for a second or more.
import { parentPort, workerData } from 'node:worker_threads';
import { niceThisThread } from './merge-priority.js';
import { readSnapshot } from './snapshot-file.js';
import type { Changes } from './snapshot-changes.js';
import { mergeSnapshot, type MergeTarget } from './snapshot-merge.js';

const { target, changes } = workerData as { target: MergeTarget; changes: Changes };
niceThisThread();
// Read here, in this thread: it is the one off the daemon's main thread.
mergeSnapshot(target, changes, async (path) => readSnapshot(path)).then(
  (outcome) => parentPort!.postMessage(outcome),
  (error: unknown) => parentPort!.postMessage({ error: String(error) }),
);
