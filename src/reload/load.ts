// Where a reload reads its config: the file the daemon was started with, loaded exactly as `check-config` loads
// it, with every problem as a ConfigIssue (JSON path + message) instead of an exception.
import type { ConfigIssue } from '../config/reload-report.js';
import { loadConfigFile } from '../config/load.js';
import type { ServerConfig } from '../config/types.js';
import { ConfigError, type ErrorCode } from '../errors.js';

export type LoadResult =
  | { readonly ok: true; readonly config: ServerConfig }
  | { readonly ok: false; readonly code: ErrorCode; readonly issues: readonly ConfigIssue[] };

export type ConfigLoader = () => Promise<LoadResult>;

export function fileLoader(file: string): ConfigLoader {
  return async () => {
    try {
      return { ok: true, config: await loadConfigFile(file) };
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const issues = error.details['issues'] as ConfigIssue[] | undefined;
      return { ok: false, code: error.code, issues: issues ?? [{ path: '$', message: error.message }] };
    }
  };
}

/** An App started without a file (tests, embedding): a reload has nothing to read. */
export const noConfigFile: ConfigLoader = async () => ({
  ok: false, code: 'DHCPD_ERR_CONFIG_READ', issues: [{ path: '$', message: 'this daemon was started without a config file' }],
});
