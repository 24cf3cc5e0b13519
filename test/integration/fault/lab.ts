// A two-namespace lab for the fault-tolerance tests: the daemon's namespace and a load generator's, joined by one
// veth pair; the load generator relays (giaddr) so it can stand for thousands of clients. Always torn down.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { daemonCommand, REPO } from '../harness/daemon.js';
import { deleteNamespace, listNamespaces } from '../harness/netns.js';
import { Proc, run, tempDir } from '../harness/proc.js';
import type { LoadEvent, LoadgenArgs } from './loadgen.child.js';
import { processAlive } from '../../../src/process-alive.js';

export const SERVER_IP = '198.18.0.1';
export const GEN_IP = '198.18.0.2';
export const GIADDR = '198.19.0.1';
export const POOL = { start: '198.19.1.0', end: '198.19.40.255' } as const;
const LOADGEN = join(REPO, 'test/integration/fault/loadgen.child.ts');

export interface FaultLab {
  readonly server: string;
  readonly gen: string;
  destroy(): Promise<void>;
}

const ip = (...args: string[]) => run('ip', args, { timeoutMs: 10_000 });

/**
 * Removes namespaces of dead runs only. (The harness's cleanupLeftovers() also deletes every adt-* dhcpcd lease
 * file, which breaks a dhcpcd test running in parallel; this lab runs no dhcpcd.)
 */
export async function cleanupDeadNamespaces(): Promise<void> {
  for (const ns of await listNamespaces()) {
    const owner = Number.parseInt(ns.split('-')[1] ?? '', 10);
    if (Number.isInteger(owner) && owner !== process.pid && !processAlive(owner)) await deleteNamespace(ns);
  }
}

/** Namespaces adt-<pid>-<rand>-{srv,gen} (cleanupLeftovers() knows the pattern). */
export async function createFaultLab(): Promise<FaultLab> {
  const base = `adt-${process.pid}-${Math.random().toString(16).slice(2, 6)}`;
  const server = `${base}-srv`;
  const gen = `${base}-gen`;
  const created: string[] = [];
  const destroy = async (): Promise<void> => {
    for (const ns of created.reverse()) await deleteNamespace(ns);
  };
  try {
    for (const ns of [server, gen]) {
      await ip('netns', 'add', ns);
      created.push(ns);
      await ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    await ip('-n', server, 'link', 'add', 'adt-f0', 'type', 'veth', 'peer', 'name', 'adt-f1', 'netns', gen);
    await ip('-n', server, 'addr', 'add', `${SERVER_IP}/24`, 'dev', 'adt-f0');
    await ip('-n', server, 'link', 'set', 'adt-f0', 'up');
    await ip('-n', gen, 'addr', 'add', `${GEN_IP}/24`, 'dev', 'adt-f1');
    await ip('-n', gen, 'addr', 'add', `${GIADDR}/32`, 'dev', 'adt-f1');
    await ip('-n', gen, 'link', 'set', 'adt-f1', 'up');
    await ip('-n', server, 'route', 'add', '198.19.0.0/16', 'via', GEN_IP);
    return { server, gen, destroy };
  } catch (error) {
    await destroy();
    throw error;
  }
}

export interface LogLine { readonly evt?: string; readonly [key: string]: unknown }

/** The daemon, relay-only, on a lease store in `storeDir`. */
export class FaultDaemon {
  private parsed = 0;
  private readonly lines: LogLine[] = [];

  private constructor(readonly proc: Proc) {}

  static async start(lab: FaultLab, storeDir: string, extra: Record<string, unknown> = {}): Promise<FaultDaemon> {
    const file = join(tempDir('cfg'), 'dhcpd.json');
    writeFileSync(file, JSON.stringify(faultConfig(storeDir, extra), null, 2));
    const proc = new Proc('actor-dhcpd', 'ip', ['netns', 'exec', lab.server, ...daemonCommand(), '--config', file]);
    const daemon = new FaultDaemon(proc);
    try {
      await daemon.waitForEvt('server.ready', 20_000);
    } catch (error) {
      await proc.stop('SIGKILL', 1_000);
      throw error;
    }
    return daemon;
  }

  logs(): readonly LogLine[] {
    for (; this.parsed < this.proc.lines.length; this.parsed++) {
      const raw = this.proc.lines[this.parsed]!;
      if (!raw.startsWith('{')) continue;
      try {
        this.lines.push(JSON.parse(raw) as LogLine);
      } catch {
        // A torn last line of a killed process is not a log record.
      }
    }
    return this.lines;
  }

  async waitForEvt(evt: string, timeoutMs = 15_000, pred: (l: LogLine) => boolean = () => true): Promise<LogLine> {
    await this.proc.waitForLine((raw) => raw.includes(`"${evt}"`) && this.logs().some((l) => l.evt === evt && pred(l)), timeoutMs);
    return this.logs().find((l) => l.evt === evt && pred(l))!;
  }
}

export function faultConfig(storeDir: string, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    serverId: SERVER_IP,
    interfaces: [],
    store: { kind: 'level', path: storeDir },
    logging: { level: 'info' },
    control: { socket: join(tempDir('ctl'), 'control.sock') },
    declineProbationSeconds: 3600,
    maxDeclinesPerClient: 1000,
    // The load generator's simulated clients have no hosts behind them: a probe would only add its timeout to
    // every offer of a timing-bound load test (the check is tested in conflict.test.ts).
    conflictCheck: { enabled: false },
    subnets: [{ subnet: '198.19.0.0/16', pools: [POOL], router: [GIADDR], leaseTime: 3600, authoritative: true }],
    ...extra,
  };
}

/** Runs the load generator in the generator namespace; its events arrive as they come. */
export class Loadgen {
  readonly proc: Proc;
  private parsed = 0;
  readonly events: LoadEvent[] = [];

  constructor(lab: FaultLab, args: LoadgenArgs) {
    const file = join(tempDir('loadgen'), 'args.json');
    writeFileSync(file, JSON.stringify(args));
    this.proc = new Proc('loadgen', 'ip', ['netns', 'exec', lab.gen, process.execPath, '--import', 'tsx', LOADGEN, file],
      { ...process.env, NODE_OPTIONS: '' });
  }

  sync(): readonly LoadEvent[] {
    for (; this.parsed < this.proc.lines.length; this.parsed++) {
      const raw = this.proc.lines[this.parsed]!;
      if (raw.startsWith('{"t":')) this.events.push(JSON.parse(raw) as LoadEvent);
    }
    return this.events;
  }

  async finished(timeoutMs: number): Promise<readonly LoadEvent[]> {
    await this.proc.waitForLine((l) => l.startsWith('{"t":"done"'), timeoutMs);
    return this.sync();
  }

  async stop(): Promise<readonly LoadEvent[]> {
    await this.proc.stop('SIGTERM', 2_000);
    return this.sync();
  }
}
