// A throwaway PostgreSQL cluster for tests: initdb in a temp dir (as the postgres user when run as root), listening
// on a UNIX socket in that dir only (no TCP), stopped and removed afterwards — also after a failed run, by the
// leftover sweep. Never touches a cluster of the host.
import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const PREFIX = 'adt-pg-';
const PORT = 5432;

export interface PgClusterOptions {
  /** fsync and synchronous commit (default true: an ACK'd lease is on disk). Off only speeds unit tests up. */
  readonly durable?: boolean;
  readonly maxConnections?: number;
}

export interface PgCluster {
  /** The directory holding the socket (`.s.PGSQL.5432`): the `host` to connect to. */
  readonly socketDir: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** `store.postgres` for the daemon's config. */
  storeConfig(): { host: string; port: number; database: string; user: string };
  /** psql -c, returning the unaligned, tuples-only output. */
  psql(sql: string): Promise<string>;
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Stops (if running) and removes the cluster's directory. Safe to call twice. */
  destroy(): Promise<void>;
}

function run(cmd: string, args: readonly string[], timeoutMs = 60_000): Promise<string> {
  const root = process.getuid?.() === 0;
  const [file, argv] = root ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, [...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.trim() || out.trim()}`));
    });
  });
}

/** Removes clusters of earlier runs whose test process died (the pid is in the directory name). */
export async function cleanupPgLeftovers(): Promise<void> {
  for (const name of readdirSync(tmpdir())) {
    const match = /^adt-pg-(\d+)-/.exec(name);
    if (match === null || isAlive(Number(match[1]))) continue;
    const dir = join(tmpdir(), name);
    if (existsSync(join(dir, 'data', 'postmaster.pid'))) {
      await run(join(BIN, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startPgCluster(options: PgClusterOptions = {}): Promise<PgCluster> {
  await cleanupPgLeftovers();
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) chownSync(dir, uidOf('postgres'), gidOf('postgres'));
  const durable = options.durable ?? true;
  const settings = [
    `listen_addresses=''`,
    `unix_socket_directories='${dir}'`,
    `max_connections=${options.maxConnections ?? 100}`,
    `fsync=${durable ? 'on' : 'off'}`,
    `synchronous_commit=${durable ? 'on' : 'off'}`,
    `full_page_writes=${durable ? 'on' : 'off'}`,
  ];
  const pgCtlStart = ['-D', data, '-l', join(dir, 'server.log'), '-o', settings.map((s) => `-c ${s}`).join(' '), '-w', 'start'];
  let running = false;
  const cluster: PgCluster = {
    socketDir: dir,
    port: PORT,
    database: 'actor_dhcpd',
    user: 'postgres',
    storeConfig: () => ({ host: dir, port: PORT, database: 'actor_dhcpd', user: 'postgres' }),
    psql: (sql) =>
      run(join(BIN, 'psql'), ['-h', dir, '-p', String(PORT), '-d', 'actor_dhcpd', '-U', 'postgres', '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql]),
    async stop(mode = 'fast') {
      if (!running) return;
      await run(join(BIN, 'pg_ctl'), ['-D', data, '-m', mode, '-w', 'stop']);
      running = false;
    },
    async start() {
      if (running) return;
      await run(join(BIN, 'pg_ctl'), pgCtlStart);
      running = true;
    },
    async destroy() {
      await cluster.stop('immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await run(join(BIN, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
    await cluster.start();
    await run(join(BIN, 'createdb'), ['-h', dir, '-p', String(PORT), '-U', 'postgres', 'actor_dhcpd']);
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
  return cluster;
}

function uidOf(user: string): number {
  return idField(user, 2);
}

function gidOf(user: string): number {
  return idField(user, 3);
}

function idField(user: string, field: number): number {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${user}:`));
  const value = Number(line?.split(':')[field]);
  if (!Number.isInteger(value)) throw new Error(`no user ${user} in /etc/passwd`);
  return value;
}
