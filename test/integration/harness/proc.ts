// Child processes for the integration harness: bounded one-shot commands and tracked long-running ones.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ExecResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export interface ExecOptions {
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs a command to completion; never rejects on a non-zero exit, always ends within timeoutMs. */
export function exec(cmd: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    // 'exit', not 'close': a daemonising child (dhclient) may leave its stdio open in a grandchild.
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      setImmediate(() => resolve({ code, signal, stdout, stderr, timedOut }));
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: 127, signal: null, stdout, stderr: stderr + String(err), timedOut });
    });
  });
}

/** Like exec, but a non-zero exit becomes an Error carrying the command's stderr. */
export async function run(cmd: string, args: readonly string[], opts: ExecOptions = {}): Promise<string> {
  const r = await exec(cmd, args, opts);
  if (r.code !== 0) {
    const why = r.timedOut ? 'timed out' : `exited ${r.code ?? r.signal}`;
    throw new Error(`${cmd} ${args.join(' ')} ${why}: ${r.stderr.trim() || r.stdout.trim()}`);
  }
  return r.stdout;
}

/** A long-running child whose output lines are kept and can be awaited. */
export class Proc {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private waiters: Array<() => void> = [];
  private exitCode: number | null | undefined;

  constructor(
    readonly name: string,
    cmd: string,
    args: readonly string[],
    env?: NodeJS.ProcessEnv,
    opts: { readonly stdin?: boolean } = {},
  ) {
    const stdin = opts.stdin === true ? 'pipe' : 'ignore';
    this.child = spawn(cmd, args, { stdio: [stdin, 'pipe', 'pipe'], env: env ?? process.env });
    this.collect(this.child.stdout);
    this.collect(this.child.stderr);
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code) => {
        this.exitCode = code;
        this.notify();
        resolve(code);
      });
      this.child.on('error', (err) => {
        this.lines.push(`spawn error: ${String(err)}`);
        this.exitCode = 127;
        this.notify();
        resolve(127);
      });
    });
    live.add(this);
    void this.exited.then(() => live.delete(this));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Resolves with the first line (already seen or future) matching pred; rejects after timeoutMs or on exit. */
  waitForLine(pred: (line: string) => boolean, timeoutMs: number, from = 0): Promise<string> {
    return new Promise((resolve, reject) => {
      let seen = from;
      const check = (): boolean => {
        for (; seen < this.lines.length; seen++) {
          const line = this.lines[seen] as string;
          if (pred(line)) {
            done();
            resolve(line);
            return true;
          }
        }
        if (!this.running) {
          done();
          reject(new Error(`${this.name} exited (${this.exitCode}) before the awaited line:\n${this.tail()}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name}: no awaited line within ${timeoutMs} ms:\n${this.tail()}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
      };
      const waiter = (): void => void check();
      if (!check()) this.waiters.push(waiter);
    });
  }

  /** Sends sig, escalates to SIGKILL after graceMs, and resolves with the exit code. */
  async stop(sig: NodeJS.Signals = 'SIGTERM', graceMs = 5_000): Promise<number | null> {
    if (!this.running) return this.exited;
    this.child.kill(sig);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Writes one line to the child's stdin (only for a Proc started with `{ stdin: true }`). */
  writeLine(line: string): void {
    if (this.child.stdin === null) throw new TypeError(`${this.name} was started without stdin`);
    if (this.running) this.child.stdin.write(`${line}\n`);
  }

  signal(sig: NodeJS.Signals): void {
    if (this.running) this.child.kill(sig);
  }

  tail(n = 30): string {
    return this.lines.slice(-n).join('\n');
  }

  private collect(stream: NodeJS.ReadableStream | null): void {
    if (stream === null) return;
    let partial = '';
    stream.on('data', (b: Buffer) => {
      const parts = (partial + b.toString()).split('\n');
      partial = parts.pop() ?? '';
      this.lines.push(...parts);
      this.notify();
    });
    stream.on('end', () => {
      if (partial !== '') this.lines.push(partial);
      partial = '';
      this.notify();
    });
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}

const live = new Set<Proc>();

/** SIGKILLs every tracked child still running (afterAll safety net). */
export async function killAllProcs(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop('SIGKILL', 1_000)));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const tempDirs: string[] = [];

/** A fresh private directory under the OS temp dir, removed by removeTempDirs(). */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `adt-${label}-`));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
