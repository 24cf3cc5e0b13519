// Builds the control API's view of a running App: leases from its lease book, release through the server's
// release path, config test with the running config's base directory.
import type { App } from '../app.js';
import { parseConfig } from '../config/index.js';
import type { ReloadReport, ReloadTrigger } from '../config/reload-report.js';
import { adminRelease } from '../server/admin-release.js';
import type { ControlApi, LeaseHistoryEntry, SecurityEventEntry } from './api.js';
import { configView } from './config-view.js';

export interface AppExtras {
  /** Directory of the config file: relative paths in a tested config resolve as they would at load. */
  readonly baseDir: string;
  readonly reload: (trigger: ReloadTrigger) => Promise<ReloadReport>;
  readonly securityEvents?: (limit: number) => readonly SecurityEventEntry[];
  readonly history?: (ip: string, limit: number) => Promise<readonly LeaseHistoryEntry[]> | readonly LeaseHistoryEntry[];
  readonly metrics?: ControlApi['metrics'];
}

/** `app` is read at each call: the listener is opened before the App starts, so a taken socket stops nothing. */
export function controlApiOf(app: () => App, extras: AppExtras): ControlApi {
  const deps = () => app().deps;
  return {
    leases: { get: (ip) => deps().book.get(ip), values: () => deps().book.values() },
    release: (ip, by) => adminRelease(deps(), ip, by),
    statistics: () => app().statistics(),
    health: () => app().health(),
    runningConfig: () => configView(deps().config()),
    testConfig: (text) => parseConfig(text, { baseDir: extras.baseDir }),
    reload: extras.reload,
    ...(extras.securityEvents === undefined ? {} : { securityEvents: extras.securityEvents }),
    ...(extras.history === undefined ? {} : { history: extras.history }),
    ...(extras.metrics === undefined ? {} : { metrics: extras.metrics }),
  };
}
