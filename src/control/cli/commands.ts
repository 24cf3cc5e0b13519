// The client commands: each asks the running daemon over its control socket and prints a table, or the JSON
// with --json. Exit codes: 0 ok, 1 the daemon answered with an error (or is unhealthy, or refused the reload),
// 2 usage, 3 no daemon answers on the socket.
import type { ReloadReport } from '../../config/reload-report.js';
import { classify } from '../../errors.js';
import type { Health } from '../../supervisor/health.js';
import { controlRequest, type ControlResponse } from '../client.js';
import type { LeasePage, LeaseView } from '../lease-query.js';
import { parseClientArgs, type ClientArgs } from './args.js';
import { formatHealth, formatLease, formatLeases, formatReload, formatStats } from './format.js';

export interface CommandResult {
  readonly code: number;
  readonly stdout: readonly string[];
  readonly stderr: readonly string[];
}

const ok = (stdout: readonly string[]): CommandResult => ({ code: 0, stdout, stderr: [] });
const PAGE = 1000;
/** `leases` follows cursors up to this many leases; narrow the filter for more. */
const MAX_LISTED = 1_000_000;

/** An error answer of the API: its registry code and message, and the field paths it names. */
function apiError(res: ControlResponse): CommandResult {
  const body = res.json as { error?: { code?: string; message?: string; details?: { fields?: { path: string; message: string }[]; issues?: { path: string; message: string }[] } } } | undefined;
  const error = body?.error;
  if (error === undefined) return { code: 1, stdout: [], stderr: [`HTTP ${res.status}: ${res.text.slice(0, 500)}`] };
  const details = [...(error.details?.fields ?? []), ...(error.details?.issues ?? [])].map((f) => `  ${f.path}: ${f.message}`);
  return { code: 1, stdout: [], stderr: [`${error.code}: ${error.message}`, ...details] };
}

const json = (value: unknown): string[] => [JSON.stringify(value, null, 2)];

async function leases(args: ClientArgs): Promise<CommandResult> {
  const all: LeaseView[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ ...args.filter, limit: String(PAGE), ...(cursor === undefined ? {} : { cursor }) });
    const res = await controlRequest(args, `/v1/leases?${query.toString()}`);
    if (res.status !== 200) return apiError(res);
    const page = res.json as LeasePage;
    all.push(...page.leases);
    cursor = page.nextCursor;
  } while (cursor !== undefined && all.length < MAX_LISTED);
  return ok(args.json ? json(all) : formatLeases(all));
}

async function lease(args: ClientArgs): Promise<CommandResult> {
  const res = await controlRequest(args, `/v1/leases/${encodeURIComponent(args.ip ?? '')}`);
  if (res.status !== 200) return apiError(res);
  const body = res.json as { lease: LeaseView; history?: Record<string, unknown>[] };
  return ok(args.json ? json(body) : formatLease(body.lease, body.history));
}

async function release(args: ClientArgs): Promise<CommandResult> {
  const res = await controlRequest(args, `/v1/leases/${encodeURIComponent(args.ip ?? '')}/release`, { method: 'POST', body: '{}' });
  if (res.status !== 200) return apiError(res);
  return ok(args.json ? json(res.json) : [`released ${args.ip ?? ''}`]);
}

async function stats(args: ClientArgs): Promise<CommandResult> {
  const res = await controlRequest(args, '/v1/stats');
  if (res.status !== 200) return apiError(res);
  return ok(args.json ? json(res.json) : formatStats(res.json as Parameters<typeof formatStats>[0]));
}

/** 503 is an answer here: the daemon runs but is not healthy, and says why. */
async function health(args: ClientArgs): Promise<CommandResult> {
  const res = await controlRequest(args, '/v1/health');
  if (res.status !== 200 && res.status !== 503) return apiError(res);
  const body = res.json as Health;
  return { code: res.status === 200 ? 0 : 1, stdout: args.json ? json(body) : formatHealth(body), stderr: [] };
}

async function reload(args: ClientArgs): Promise<CommandResult> {
  const res = await controlRequest(args, '/v1/reload', { method: 'POST', body: JSON.stringify({ trigger: 'cli' }) });
  if (res.status !== 200 && res.status !== 422) return apiError(res);
  const report = res.json as ReloadReport;
  return { code: report.result === 'failed' ? 1 : 0, stdout: args.json ? json(report) : formatReload(report), stderr: [] };
}

const RUN = { leases, lease, release, stats, health, reload } as const;

export async function runClientCommand(argv: readonly string[]): Promise<CommandResult> {
  const parsed = parseClientArgs(argv);
  if (!parsed.ok) return { code: 2, stdout: [], stderr: [parsed.message, 'see actor-dhcpd --help'] };
  try {
    return await RUN[parsed.args.command](parsed.args);
  } catch (error) {
    const err = classify(error);
    const hint = err.code === 'DHCPD_ERR_CONTROL_NO_DAEMON'
      ? ['is actor-dhcpd running? Its control.socket may differ: pass --socket PATH']
      : [];
    return { code: err.code === 'DHCPD_ERR_CONTROL_NO_DAEMON' ? 3 : 1, stdout: [], stderr: [`${err.code}: ${err.message}`, ...hint] };
  }
}
