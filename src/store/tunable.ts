// Optional beside LeaseStore: a store whose group commit can be retuned while it runs (adaptive tuning).
import type { CommitLimits, GroupCommitStats } from './group-commit.js';
import type { LeaseStore } from './types.js';

export type { CommitLimits, GroupCommitStats };

export interface TunableCommits {
  commitLimits(): CommitLimits;
  /** From the next batch on; throws TypeError on a value out of range. */
  setCommitLimits(limits: CommitLimits): void;
  commitStats(): GroupCommitStats;
}

export function isTunable<S extends LeaseStore>(store: S): store is S & TunableCommits {
  return typeof (store as Partial<TunableCommits>).setCommitLimits === 'function';
}
