// A checkpoint's merge runs niced: on a core it shares with the packet path (a daemon pinned to one core, as in the
// benchmark) a merge of 10^6 leases would otherwise take half of it for a second or more, where at a niceness of 10
// it takes ~10 % and runs in full in the idle time (as the storage engine's threads: src/tuning/background-threads.ts).
// Lowering one's own priority needs no privilege; on Linux a niceness is a thread's, so only the merging thread has it.
import { setPriority } from 'node:os';

export const MERGE_NICE = 10;

/** Nices the calling thread; false where the system refused (the merge then runs at the daemon's priority). */
export function niceThisThread(nice = MERGE_NICE): boolean {
  try {
    setPriority(nice);
    return true;
  } catch {
    return false;
  }
}
