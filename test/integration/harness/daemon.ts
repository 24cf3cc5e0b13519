// Starts the built actor-dhcpd (dist/src/cli.js) inside the lab's server namespace and parses its pino JSON log.
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Proc, exec, tempDir } from './proc.js';
import { RELAY_SUBNET, DIRECT_SUBNET, SERVER_ADDRESS, BRIDGE, type Lab } from './netns.js';

export const REPO = resolve(import.meta.dirname, '../../..');
export const CLI = join(REPO, 'dist/src/cli.js');
export const RESERVED_MAC = '02:00:5e:10:00:10';
export const RESERVED_IP = '198.51.100.10';
export const DIRECT_POOL = { start: '198.51.100.100', end: '198.51.100.199' } as const;
export const RELAY_POOL = { start: '203.0.113.100', end: '203.0.113.199' } as const;

export interface LogLine {
  readonly evt?: string;
  readonly level?: number;
  readonly msg?: string;
  readonly [key: string]: unknown;
}

/** What every test talks to: our daemon, or Kea while validating the harness (ADT_SERVER=kea). */
export interface DhcpServer {
  readonly name: string;
  /** Parsed JSON log lines (empty for Kea). */
  readonly logs: readonly LogLine[];
  waitForEvt(evt: string, pred?: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** SIGTERM, resolving with the exit code (SIGKILL after the grace period). */
  stop(): Promise<number | null>;
  /** SIGKILL: a crash, for restart tests. */
  kill(): Promise<void>;
  output(): string;
  /** Sends a signal (e.g. SIGHUP: reload); our daemon only. */
  signal?(sig: NodeJS.Signals): void;
}

export interface ServerSetup {
  /** Directory holding the lease store; reuse it across restarts. */
  readonly stateDir: string;
  readonly leaseTime?: number;
  /** Adjusts the daemon's config before it is written (e.g. T1/T2, options, limits); ignored for Kea. */
  readonly configure?: (config: DaemonConfig) => void;
  /** Where the config file is written (default: a fresh temp file); a reload test rewrites it. */
  readonly configFile?: string;
}

export interface DaemonConfig {
  [key: string]: unknown;
  subnets: Array<Record<string, unknown>>;
}

/** The daemon's control API socket (the CLI's `--socket`). */
export const controlSocket = (setup: Pick<ServerSetup, 'stateDir'>): string => join(setup.stateDir, 'control.sock');

/** The test configuration, in the daemon's config file format (see config/lab.json). */
export function daemonConfig(setup: ServerSetup): DaemonConfig {
  const config: DaemonConfig = {
    serverId: SERVER_ADDRESS,
    // Only the bridge is served directly; relayed requests reach the UDP socket over the transit link.
    interfaces: [BRIDGE],
    store: { kind: 'level', path: join(setup.stateDir, 'leases') },
    logging: { level: 'info' },
    // Each daemon its own control socket: tests run daemons side by side (and the CLI tests talk to it).
    control: { socket: controlSocket(setup) },
    subnets: [
      {
        subnet: DIRECT_SUBNET,
        interface: BRIDGE,
        pools: [DIRECT_POOL],
        router: [SERVER_ADDRESS],
        leaseTime: setup.leaseTime ?? 120,
        reservations: [{ hwAddress: RESERVED_MAC, address: RESERVED_IP }],
      },
      { subnet: RELAY_SUBNET, pools: [RELAY_POOL], router: ['203.0.113.1'], leaseTime: setup.leaseTime ?? 120 },
    ],
  };
  setup.configure?.(config);
  return config;
}

export function daemonBuilt(): boolean {
  return existsSync(CLI);
}

export class Daemon implements DhcpServer {
  readonly name = 'actor-dhcpd';
  private readonly parsedLogs: LogLine[] = [];
  private parsed = 0;

  constructor(private readonly proc: Proc) {}

  private sync(): readonly LogLine[] {
    for (; this.parsed < this.proc.lines.length; this.parsed++) {
      const raw = this.proc.lines[this.parsed] as string;
      if (!raw.startsWith('{')) continue;
      try {
        this.parsedLogs.push(JSON.parse(raw) as LogLine);
      } catch {
        // A torn or non-JSON line is kept in proc.lines for output(); it is not a log record.
      }
    }
    return this.parsedLogs;
  }

  get logs(): readonly LogLine[] {
    return this.sync();
  }

  async waitForEvt(evt: string, pred: (l: LogLine) => boolean = () => true, timeoutMs = 15_000): Promise<LogLine> {
    const match = (l: LogLine): boolean => l.evt === evt && pred(l);
    await this.proc.waitForLine((raw) => {
      if (!raw.includes(evt)) return false;
      return this.sync().some(match);
    }, timeoutMs);
    return this.sync().find(match) as LogLine;
  }

  stop(): Promise<number | null> {
    return this.proc.stop('SIGTERM', 8_000);
  }

  async kill(): Promise<void> {
    await this.proc.stop('SIGKILL', 1_000);
  }

  signal(sig: NodeJS.Signals): void {
    this.proc.signal(sig);
  }

  output(): string {
    return this.proc.tail(60);
  }
}

/**
 * The daemon as the installed command runs it: node with the V8 flags of cli.js's shebang (a daemon started as
 * `node cli.js` would run with another young generation than production, and measure other memory and pauses).
 */
export function daemonCommand(): string[] {
  const shebang = readFileSync(CLI, 'utf8').split('\n', 1)[0] ?? '';
  const flags = shebang.split(/\s+/).filter((word) => word.startsWith('--'));
  return [process.execPath, ...flags, CLI];
}

/**
 * Writes the config and starts `node dist/src/cli.js --config F` in the server namespace; resolves once it serves
 * DHCP and its control API is built (it is built right after server.ready): a test that measures from here does not
 * count the control API's construction as the daemon's work or memory.
 */
export async function startDaemon(lab: Lab, setup: ServerSetup, timeoutMs = 20_000): Promise<DhcpServer> {
  if (!daemonBuilt()) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const cfgFile = setup.configFile ?? join(tempDir('cfg'), 'dhcpd.json');
  const config = daemonConfig(setup);
  writeFileSync(cfgFile, JSON.stringify(config, null, 2));
  const proc = new Proc('actor-dhcpd', 'ip', ['netns', 'exec', lab.server, ...daemonCommand(), '--config', cfgFile]);
  const d = new Daemon(proc);
  try {
    await d.waitForEvt('server.ready', undefined, timeoutMs);
    if ((config.control as { enabled?: boolean } | undefined)?.enabled !== false) await d.waitForEvt('control.listening', undefined, timeoutMs);
  } catch (err) {
    await d.kill();
    throw err;
  }
  return d;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when it is missing or older than the sources, so the tests never run a stale daemon. */
export async function ensureBuilt(): Promise<void> {
  const sources = ['src', 'machines'].map((d) => join(REPO, d)).filter((d) => existsSync(d));
  const stale = !daemonBuilt() || sources.some((d) => newestMtime(d) > statSync(CLI).mtimeMs);
  if (!stale) return;
  const r = await exec(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(REPO, 'tsconfig.build.json')], {
    timeoutMs: 120_000,
  });
  if (!daemonBuilt()) throw new Error(`build failed (exit ${r.code}):\n${(r.stdout + r.stderr).slice(-3000)}`);
  // As `npm run build` does: tsc writes the file anew, without the execute bit the systemd unit's ExecStart needs.
  chmodSync(CLI, 0o755);
}
