// One config reload, the seed's flow after the lock: load → parse → validate → (error: keep the old config, log
// config.reload_failed, count it) → diff → (no change: config.unchanged) → refuse what needs a restart → apply
// (one atomic swap; every component is told before the next packet) → config.reloaded with the diff.
import { performance } from 'node:perf_hooks';
import type { ConfigIssue, ReloadReport, ReloadTrigger } from '../config/reload-report.js';
import type { ServerConfig } from '../config/types.js';
import { classify, ConfigError, type ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { Stats } from '../server/stats.js';
import { diffConfigs, isEmptyDiff } from './diff.js';
import type { ConfigHolder } from './holder.js';
import type { ConfigLoader } from './load.js';
import { restartOnlyChanges } from './restart-only.js';

export interface ReloadFlowDeps {
  readonly load: ConfigLoader;
  readonly holder: ConfigHolder<ServerConfig>;
  readonly log: Logger;
  readonly stats: Stats;
}

/** Runs the flow once for the reloads asked for by `triggers` (coalesced); never throws. */
export async function reloadOnce(deps: ReloadFlowDeps, triggers: readonly ReloadTrigger[]): Promise<ReloadReport> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 1000) / 1000;
  const { log, stats, holder } = deps;
  const fail = (code: ErrorCode, issues: readonly ConfigIssue[], cause?: unknown): ReloadReport => {
    const err = new ConfigError(code, 'config reload refused', { cause, details: { issues } });
    const durationMs = elapsed();
    stats.error('config');
    stats.count(stats.events, 'config.reload_failed');
    log.error({ evt: 'config.reload_failed', triggers, err, issues, durationMs }, 'config reload refused: the running config is unchanged');
    return { result: 'failed', issues, durationMs };
  };
  let loaded;
  try {
    loaded = await deps.load();
  } catch (error) {
    return fail('DHCPD_ERR_CONFIG_READ', [{ path: '$', message: classify(error).message }], error);
  }
  if (!loaded.ok) return fail(loaded.code, loaded.issues);
  const previous = holder.read();
  const diff = diffConfigs(previous, loaded.config);
  if (isEmptyDiff(diff)) {
    const durationMs = elapsed();
    stats.count(stats.events, 'config.unchanged');
    log.info({ evt: 'config.unchanged', triggers, durationMs }, 'config reloaded: nothing changed');
    return { result: 'unchanged', durationMs };
  }
  const refused = restartOnlyChanges(previous, loaded.config);
  if (refused.length > 0) return fail('DHCPD_ERR_CONFIG_RESTART_REQUIRED', refused);
  try {
    holder.swap(loaded.config);
  } catch (error) {
    return fail('DHCPD_ERR_CONFIG_INVALID', [{ path: '$', message: `could not be applied: ${classify(error).message}` }], error);
  }
  const durationMs = elapsed();
  stats.count(stats.events, 'config.reloaded');
  log.info({ evt: 'config.reloaded', triggers, diff, durationMs }, 'config reloaded');
  return { result: 'reloaded', diff, durationMs };
}
