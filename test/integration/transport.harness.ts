// Namespaces, veth links and JSON-line child processes for test/integration/transport.test.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { exec, run } from './harness/proc.js';
import { processAlive } from '../../src/process-alive.js';

/** Namespaces are adn-tr-<pid>-<role>: a concurrent run in another process keeps its own; a dead run's are removed. */
export const NS_PREFIX = 'adn-tr-';

export const nsName = (role: string): string => `${NS_PREFIX}${process.pid}-${role}`;

export const ip = (...args: string[]): Promise<string> => run('ip', args, { timeoutMs: 10_000 });

async function deleteNamespace(ns: string): Promise<void> {
  const pids = (await exec('ip', ['netns', 'pids', ns], { timeoutMs: 5_000 })).stdout.split(/\s+/).filter(Boolean);
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await exec('ip', ['netns', 'del', ns], { timeoutMs: 5_000 });
}

/** Removes this test's namespaces: all of this process's (`own`), or those whose owner process is dead. */
export async function removeNamespaces(own: boolean): Promise<void> {
  const list = (await exec('ip', ['netns', 'list'], { timeoutMs: 5_000 })).stdout.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '');
  for (const ns of list.filter((n) => n.startsWith(NS_PREFIX))) {
    const pid = Number(ns.slice(NS_PREFIX.length).split('-')[0]);
    if (own ? pid === process.pid : !processAlive(pid)) await deleteNamespace(ns);
  }
}

export interface Segment {
  readonly client: string;
  readonly serverIf: string;
  readonly serverAddress: string;
  readonly clientAddress: string;
  readonly prefix: number;
  clientMac: string;
  serverMac: string;
}

const macOf = async (ns: string, ifname: string): Promise<string> =>
  (await ip('-n', ns, '-j', 'link', 'show', ifname)).match(/"address":"([0-9a-f:]{17})"/)?.[1] ?? '';

/** One veth pair from the server namespace to a fresh client namespace, addressed and up. */
export async function addSegment(server: string, seg: Segment): Promise<void> {
  await ip('netns', 'add', seg.client);
  await ip('-n', seg.client, 'link', 'set', 'lo', 'up');
  await ip('link', 'add', seg.serverIf, 'netns', server, 'type', 'veth', 'peer', 'name', 'adn-c', 'netns', seg.client);
  await ip('-n', server, 'addr', 'add', `${seg.serverAddress}/${seg.prefix}`, 'dev', seg.serverIf);
  await ip('-n', seg.client, 'addr', 'add', `${seg.clientAddress}/${seg.prefix}`, 'dev', 'adn-c');
  await ip('-n', server, 'link', 'set', seg.serverIf, 'up');
  await ip('-n', seg.client, 'link', 'set', 'adn-c', 'up');
  // Lets the client agent, bound to 0.0.0.0, send to 255.255.255.255 (no route would mean ENETUNREACH).
  await ip('-n', seg.client, 'route', 'add', 'default', 'dev', 'adn-c');
  seg.clientMac = await macOf(seg.client, 'adn-c');
  seg.serverMac = await macOf(server, seg.serverIf);
}

/** A child in a namespace speaking JSON lines: `events` holds every parsed stdout line, `log` every stderr line. */
export class JsonProc {
  readonly events: Record<string, unknown>[] = [];
  readonly log: string[] = [];
  private readonly child: ChildProcess;
  private nextId = 1;
  private waiters: (() => void)[] = [];
  exited = false;

  constructor(readonly name: string, ns: string, argv: readonly string[]) {
    this.child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.lines(this.child.stdout, (line) => {
      try {
        this.events.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        this.log.push(`(stdout) ${line}`);
      }
    });
    this.lines(this.child.stderr, (line) => this.log.push(line));
    this.child.on('exit', () => {
      this.exited = true;
      this.notify();
    });
  }

  /** The first event (seen or future, from index `from`) matching pred; rejects after timeoutMs or on exit. */
  waitFor(pred: (e: Record<string, unknown>) => boolean, timeoutMs = 5_000, from = 0): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.events.slice(from).find(pred);
        if (found !== undefined || this.exited) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
          if (found !== undefined) resolve(found);
          else reject(new Error(`${this.name} exited:\n${this.tail()}`));
          return true;
        }
        return false;
      };
      const waiter = (): void => void check();
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`${this.name}: nothing matched within ${timeoutMs} ms:\n${this.tail()}`));
      }, timeoutMs);
      if (!check()) this.waiters.push(waiter);
    });
  }

  /** Sends a command with a fresh id and resolves with the reply carrying that id. */
  request(cmd: Record<string, unknown>, timeoutMs = 5_000): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    this.child.stdin?.write(`${JSON.stringify({ ...cmd, id })}\n`);
    return this.waitFor((e) => e.id === id, timeoutMs);
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3_000);
    await gone;
    clearTimeout(timer);
  }

  tail(n = 20): string {
    return [...this.log.slice(-n), ...this.events.slice(-n).map((e) => JSON.stringify(e))].join('\n');
  }

  private lines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
    let partial = '';
    stream?.on('data', (b: Buffer) => {
      const parts = (partial + b.toString()).split('\n');
      partial = parts.pop() ?? '';
      for (const p of parts) if (p.trim() !== '') onLine(p);
      this.notify();
    });
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}

/**
 * A stand-in DHCP client: a dgram socket on 0.0.0.0:68 with broadcast on. Reports {evt:'rx'} per datagram received,
 * and sends {address, port, data} on command. (Plain CommonJS so it runs with `node -e`, no loader.)
 */
export const CLIENT_AGENT = `
const dgram = require('node:dgram');
const s = dgram.createSocket({ type: 'udp4', reuseAddr: true });
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
s.on('message', (m, r) => out({ evt: 'rx', data: m.toString('hex'), from: r.address, port: r.port }));
s.on('error', (e) => out({ evt: 'error', code: e.code }));
s.bind(68, () => { s.setBroadcast(true); out({ evt: 'ready' }); });
require('node:readline').createInterface({ input: process.stdin })
  .on('line', (l) => { const c = JSON.parse(l); s.send(Buffer.from(c.data, 'hex'), c.port, c.address, (e) => out({ id: c.id, ok: !e, code: e && e.code })); })
  .on('close', () => process.exit(0));
`;

export const hex = (text: string): string => Buffer.from(text).toString('hex');
