// Settings a running daemon cannot take over: the sockets (listen, interfaces), the lease store and its peers
// (store, scaleOut) and the control listener (control) are opened once at start. A reload that changes one is refused as a whole — the old config keeps serving — with one issue
// per changed setting, so the running config never silently differs from the file.
import { isDeepStrictEqual } from 'node:util';
import type { ConfigIssue } from '../config/reload-report.js';
import type { ServerConfig } from '../config/types.js';

const SECTIONS = ['interfaces', 'listen', 'store', 'scaleOut', 'control'] as const;

const MESSAGE = 'cannot change while the daemon runs: restart it to apply (the running config is unchanged)';

function changedPaths(name: string, before: unknown, after: unknown): string[] {
  if (isDeepStrictEqual(before, after)) return [];
  const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isRecord(before) || !isRecord(after)) return [`$.${name}`];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => !isDeepStrictEqual(before[k], after[k])).map((k) => `$.${name}.${k}`);
}

/** The issues that refuse a reload from `before` to `after`; empty when every change can be applied live. */
export function restartOnlyChanges(before: ServerConfig, after: ServerConfig): ConfigIssue[] {
  return SECTIONS.flatMap((name) => changedPaths(name, before[name], after[name])).map((path) => ({ path, message: MESSAGE }));
}
