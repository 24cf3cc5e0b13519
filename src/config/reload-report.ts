// What one config reload did, as the reload flow reports it to the log, the control API and the CLI.

/** A config problem, named by its JSON path (as `check-config` prints it). */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** Ids (subnets) or keys (reservations: "subnet/hw|id") that the new config added, removed or changed. */
export interface ConfigDiffSummary {
  readonly subnets: { readonly added: readonly number[]; readonly removed: readonly number[]; readonly changed: readonly number[] };
  readonly reservations: { readonly added: readonly string[]; readonly removed: readonly string[] };
  /** Top-level sections whose values changed (e.g. "limits", "security", "supervision", "options"). */
  readonly sections: readonly string[];
}

export type ReloadReport =
  | { readonly result: 'reloaded'; readonly diff: ConfigDiffSummary; readonly durationMs: number }
  | { readonly result: 'unchanged'; readonly durationMs: number }
  | { readonly result: 'failed'; readonly issues: readonly ConfigIssue[]; readonly durationMs: number };

/** How a reload was asked for. */
export type ReloadTrigger = 'signal' | 'api' | 'cli';
