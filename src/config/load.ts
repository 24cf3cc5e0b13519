// Entry points: parse config text, load a config file, and the `check-config` report.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { ServerConfig } from './types.js';
import type { ConfigResult } from './compile.js';
import { compileConfig } from './compile.js';
import type { ConfigIssue } from './issues.js';
import { formatConfigIssues, fromZodIssues } from './issues.js';
import { jsonErrorOffset, lineColumn } from './json-position.js';
import { ConfigSchema } from './schema.js';

export interface ParseOptions {
  /** Directory a relative store path is resolved against (the config file's directory). */
  readonly baseDir: string;
}

/** V8's message plus the line and column of the fault, from our own scan since V8 names it only sometimes. */
function describeSyntaxError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const offset = jsonErrorOffset(text);
  if (offset === undefined) return `invalid JSON: ${message}`;
  const { line, column } = lineColumn(text, offset);
  return `invalid JSON at line ${line}, column ${column}: ${message}`;
}

type JsonResult = { ok: true; json: unknown } | { ok: false; issue: ConfigIssue };

function parseJson(text: string): JsonResult {
  // Editors on some systems save a byte-order mark, which JSON.parse rejects.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    return { ok: true, json: JSON.parse(body) as unknown };
  } catch (error) {
    return { ok: false, issue: { path: '$', message: describeSyntaxError(body, error) } };
  }
}

function compileJson(json: unknown, opts: ParseOptions): ConfigResult {
  const parsed = ConfigSchema.safeParse(json);
  if (!parsed.success) return { ok: false, errors: fromZodIssues(parsed.error.issues, ConfigSchema, json) };
  return compileConfig(parsed.data, opts);
}

/** Parses and compiles config text. Never throws for bad input: every problem is an issue with a JSON path. */
export function parseConfig(text: string, opts: ParseOptions): ConfigResult {
  const json = parseJson(text);
  return json.ok ? compileJson(json.json, opts) : { ok: false, errors: [json.issue] };
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as { code?: unknown } | null)?.code ?? (error instanceof Error ? error.message : error);
    throw new ConfigError('DHCPD_ERR_CONFIG_READ', `cannot read config file ${file}: ${String(reason)}`, {
      cause: error,
      details: { file },
    });
  }
}

function invalid(code: 'DHCPD_ERR_CONFIG_SYNTAX' | 'DHCPD_ERR_CONFIG_INVALID', file: string, issues: ConfigIssue[]) {
  const lines = formatConfigIssues(issues);
  return new ConfigError(code, `config file ${file} is not valid:\n  ${lines.join('\n  ')}`, {
    details: { file, issues },
  });
}

/** Loads and compiles a config file; throws ConfigError READ, SYNTAX or INVALID (details.issues). */
export async function loadConfigFile(file: string): Promise<ServerConfig> {
  const path = resolve(file);
  const json = parseJson(await readText(path));
  if (!json.ok) throw invalid('DHCPD_ERR_CONFIG_SYNTAX', path, [json.issue]);
  const result = compileJson(json.json, { baseDir: dirname(path) });
  if (!result.ok) throw invalid('DHCPD_ERR_CONFIG_INVALID', path, result.errors);
  return result.config;
}

/** `actor-dhcpd check-config FILE`: "ok", or one "path: message" line per problem. */
export async function checkConfigFile(file: string): Promise<{ ok: boolean; lines: string[] }> {
  try {
    await loadConfigFile(file);
    return { ok: true, lines: ['ok'] };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const issues = error.details['issues'] as ConfigIssue[] | undefined;
    return { ok: false, lines: issues === undefined ? [`$: ${error.message}`] : formatConfigIssues(issues) };
  }
}
