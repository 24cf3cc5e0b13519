// What the control API reads and does, injected by cli-main.ts from the running App: the routes know no App internals.
import type { Statistics } from '../app.js';
import type { ReloadReport, ReloadTrigger } from '../config/reload-report.js';
import type { ConfigResult } from '../config/compile.js';
import type { LeaseTransition } from '../leases/transition.js';
import type { AdminReleaseOutcome } from '../server/admin-release.js';
import type { LeaseRecord } from '../store/types.js';
import type { Health } from '../supervisor/health.js';
import type { SecurityEvent } from '../security/events.js';

/** One entry of a lease's recent history. */
export type LeaseHistoryEntry = LeaseTransition;

/** One recent security event, shown as the security stages record it. */
export type SecurityEventEntry = SecurityEvent;

export type ReleaseOutcome = AdminReleaseOutcome;

export interface LeaseSource {
  get(ip: string): LeaseRecord | undefined;
  values(): Iterable<LeaseRecord>;
}

export interface ControlApi {
  readonly leases: LeaseSource;
  /** Releases a lease through the server's release path (stored, logged); `by` names who asked. */
  release(ip: string, by: string): Promise<ReleaseOutcome>;
  statistics(): Statistics;
  health(): Health;
  /** The config in force, as JSON. */
  runningConfig(): unknown;
  /** Validates config text as `check-config` does; nothing is applied. */
  testConfig(text: string): ConfigResult;
  reload(trigger: ReloadTrigger): Promise<ReloadReport>;
  /** Recent transitions of the lease at this address, newest last; absent when the build keeps no history. */
  history?(ip: string, limit: number): Promise<readonly LeaseHistoryEntry[]> | readonly LeaseHistoryEntry[];
  /** Recent security events, newest last; absent when the build has no security stages. */
  securityEvents?(limit: number): readonly SecurityEventEntry[];
  /** The Prometheus exposition (text format 0.0.4). */
  metrics?(): Promise<{ readonly contentType: string; readonly body: string }>;
}
