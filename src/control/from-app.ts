// Builds the control API's view of a running App: leases from its lease book, release through the server's
// release path, config test with the running config's base directory.
import type { App } from '../app.js';
import { parseConfig } from '../config/index.js';
import type { ReloadReport, ReloadTrigger } from '../config/reload-report.js';
import type { MetricsSource } from '../metrics/metrics.js';
import { uiDepsOf, type UiDeps } from '../visualizer/ui-plugin.js';
import type { ControlApi, SecurityEventEntry } from './api.js';
import { configView } from './config-view.js';

export interface AppExtras {
  /** Directory of the config file: relative paths in a tested config resolve as they would at load. */
  readonly baseDir: string;
  readonly reload: (trigger: ReloadTrigger) => Promise<ReloadReport>;
  readonly securityEvents?: (limit: number) => readonly SecurityEventEntry[];
  readonly metrics?: ControlApi['metrics'];
}

/** `app` is read at each call: the listener is opened before the App starts, so a taken socket stops nothing. */
export function controlApiOf(app: () => App, extras: AppExtras): ControlApi {
  return {
    leases: { get: (ip) => app().lease(ip), values: () => app().leases() },
    release: (ip, by) => app().release(ip, by),
    statistics: () => app().statistics(),
    health: () => app().health(),
    runningConfig: () => configView(app().config()),
    testConfig: (text) => parseConfig(text, { baseDir: extras.baseDir }),
    reload: extras.reload,
    ...(extras.securityEvents === undefined ? {} : { securityEvents: extras.securityEvents }),
    history: (ip, limit) => app().history.history(ip, limit),
    ...(extras.metrics === undefined ? {} : { metrics: extras.metrics }),
  };
}

/** What /metrics reads from the running App at each scrape. */
export function metricsSourceOf(app: () => App): MetricsSource {
  return {
    statistics: () => app().statistics(),
    health: () => app().health(),
    config: () => app().config(),
    leases: () => app().leases(),
    forEachLease: (fn) => app().forEachLease(fn),
  };
}

/** The /ui page's view of the App, read at each call (the listener, and so the plugin, exist before the App). */
export function lazyUiDeps(app: () => App): UiDeps {
  return uiDepsOf(app);
}
