// The visualizer's commands: `diagram` (a machine drawn from its definition) and `history` (a lease's
// transitions, from the running daemon's control socket or from a stopped daemon's store). cli-main.ts hands them
// argv and prints what they return.
import { request } from 'node:http';
import { DEFAULT_CONTROL_SOCKET } from '../config/control.js';
import { loadConfigFile } from '../config/index.js';
import { openLevelStore } from '../store/open.js';
import { formatTransition, searchHistory, type LeaseHistoryEntry, type LeaseQuery } from './lease-search.js';
import { toSvg } from './render-svg.js';
import { startUiRelay, type UiRelay } from './ui-relay.js';
import { toDot, toMermaid } from './render-text.js';
import { MACHINE_NAMES, statechartOf, type MachineName } from './statechart.js';

export interface CommandResult {
  readonly code: number;
  readonly stdout?: string;
  readonly stderr?: string;
}

const usage = (text: string): CommandResult => ({ code: 2, stderr: `${text}\n` });

/** `diagram lease|transaction|server [--format mermaid|dot|svg]` */
export async function diagramCommand(args: readonly string[]): Promise<CommandResult> {
  const { positional, flags } = parseArgs(args);
  const name = positional[0];
  const format = flags.get('format') ?? 'mermaid';
  if (name === undefined || !(MACHINE_NAMES as string[]).includes(name) || positional.length > 1) {
    return usage(`usage: actor-dhcpd diagram ${MACHINE_NAMES.join('|')} [--format mermaid|dot|svg]`);
  }
  const chart = statechartOf(name as MachineName);
  if (format === 'mermaid') return { code: 0, stdout: toMermaid(chart) };
  if (format === 'dot') return { code: 0, stdout: toDot(chart) };
  if (format === 'svg') return { code: 0, stdout: await toSvg(chart) };
  return usage(`unknown format "${format}": expected mermaid, dot or svg`);
}

/** `history --mac M | --ip IP | --client-id HEX | --hostname H [--store PATH | --socket PATH | --config FILE] [--json]` */
export async function historyCommand(args: readonly string[]): Promise<CommandResult> {
  const { flags } = parseArgs(args);
  const query = queryOf(flags);
  if (query === undefined) {
    return usage('usage: actor-dhcpd history --mac M | --ip IP | --client-id HEX | --hostname H [--store PATH | --socket PATH | --config FILE] [--json]');
  }
  const store = flags.get('store');
  const entries = store !== undefined ? await fromStore(store, query) : await fromDaemon(await socketOf(flags), query);
  if (flags.has('json')) return { code: 0, stdout: `${JSON.stringify(entries)}\n` };
  if (entries.length === 0) return { code: 1, stderr: 'no lease found\n' };
  const lines = entries.flatMap((entry) => [
    `${entry.ip}${entry.lease ? `  ${entry.lease.state}  ${entry.lease.context.clientKey}${entry.lease.context.hostname ? `  ${entry.lease.context.hostname}` : ''}` : ''}`,
    ...entry.transitions.map((t) => `  ${formatTransition(t)}`),
  ]);
  return { code: 0, stdout: `${lines.join('\n')}\n` };
}

/** `ui [--listen HOST:PORT] [--socket PATH | --config FILE]`: the relay runs until `stopped` resolves. */
export async function uiCommand(args: readonly string[], stopped: Promise<void>, print: (text: string) => void): Promise<CommandResult> {
  const { flags } = parseArgs(args);
  const listen = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(flags.get('listen') ?? '127.0.0.1:8067');
  if (listen === null) return usage('usage: actor-dhcpd ui [--listen HOST:PORT] [--socket PATH | --config FILE]');
  const socket = await socketOf(flags);
  let relay: UiRelay;
  try {
    relay = await startUiRelay(socket, listen[1], Number(listen[2]));
  } catch (error) {
    return { code: 1, stderr: `cannot listen on ${listen[0]}: ${(error as Error).message}\n` };
  }
  print(`open ${relay.url}  (relaying GET /ui to ${socket}; Ctrl-C stops)\n`);
  await stopped;
  await relay.close();
  return { code: 0 };
}

/** --socket, else the control socket of the daemon's config file (--config), else the default one. */
async function socketOf(flags: ReadonlyMap<string, string>): Promise<string> {
  const socket = flags.get('socket');
  if (socket !== undefined) return socket;
  const config = flags.get('config');
  return config === undefined ? DEFAULT_CONTROL_SOCKET : (await loadConfigFile(config)).control.socket;
}

function queryOf(flags: ReadonlyMap<string, string>): LeaseQuery | undefined {
  const given = (['mac', 'ip', 'client-id', 'hostname'] as const).filter((k) => flags.has(k));
  if (given.length !== 1) return undefined;
  const value = flags.get(given[0]!)!;
  switch (given[0]) {
    case 'mac': return { mac: value };
    case 'ip': return { ip: value };
    case 'client-id': return { clientId: value };
    default: return { hostname: value };
  }
}

/** A stopped daemon's store (LevelDB's lock refuses a store the daemon still has open, with a clear error). */
async function fromStore(path: string, query: LeaseQuery): Promise<LeaseHistoryEntry[]> {
  const store = await openLevelStore(path, { logger: { info() {}, warn() {}, error() {} } });
  try {
    const records = [];
    for await (const record of store.loadAll()) records.push(record);
    return await searchHistory(records, store, query);
  } finally {
    await store.close();
  }
}

/** The running daemon, over its control socket (the /ui plugin's history route). */
function fromDaemon(socketPath: string, query: LeaseQuery): Promise<LeaseHistoryEntry[]> {
  const [key, value] = Object.entries(query)[0]!;
  const path = `/ui/api/history?${new URLSearchParams({ [key]: value as string }).toString()}`;
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET', timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`the daemon answered ${res.statusCode}: ${body}`));
        else resolve((JSON.parse(body) as { leases: LeaseHistoryEntry[] }).leases);
      });
    });
    req.on('timeout', () => req.destroy(new Error('the daemon did not answer within 10 s')));
    req.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' || error.code === 'ECONNREFUSED'
        ? new Error(`no daemon listening on ${socketPath} (${error.code}); for a stopped daemon use --store PATH`)
        : error));
    req.end();
  });
}

/** "--name value" and "--flag" (when followed by another option or nothing); the rest is positional. */
export function parseArgs(args: readonly string[]): { positional: string[]; flags: Map<string, string> } {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq > 0) flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    else if (args[i + 1] !== undefined && !args[i + 1]!.startsWith('--')) flags.set(arg.slice(2), args[++i]!);
    else flags.set(arg.slice(2), '');
  }
  return { positional, flags };
}
