// A fresh process compiles its packet path while it serves: on one core, V8's optimizing compiler and the daemon
// share the CPU, and a daemon started into a storm (a site's power back, every client at once) answers a tenth to a
// quarter fewer requests in its first seconds, then again at its first overload (bench/README, eighth round). So
// before the socket opens, the daemon runs a short load of synthetic exchanges through its own pipeline — the same
// transport code above the system calls, router, machines, allocator, a LevelDB store with its group commits and
// journal — against a scratch directory and a made-up network, with a last stretch overloaded so that the shedding
// and the large batches are compiled too; then throws it all away. Bounded in time and in clients; never fatal.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp } from '../app.js';
import { parseConfig, type ServerConfig } from '../config/index.js';
import { DhcpdError } from '../errors.js';
import type { Logger } from '../log.js';
import { createNativeTransport } from '../net/native-transport.js';
import { RX_SLOTS } from '../net/native-binding.js';
import { createStore } from '../store/factory.js';
import { loopbackBinding, type LoopbackBinding } from './loopback-binding.js';
import { SyntheticClients, WARMUP_RELAY, WARMUP_SERVER, type SyntheticCounts } from './synthetic-clients.js';
import { processAlive } from '../process-alive.js';

export interface WarmUpOptions {
  /** How long the synthetic load runs at most (ms); the scratch store's open and removal come on top. */
  readonly budgetMs: number;
  readonly log: Logger;
  /** Synthetic clients (default 4,096): DORAs, some renewals and releases, a finished client starting again (most
   * requests are a returning client's, as in a restart storm); at most ROUNDS × clients starts in all. */
  readonly clients?: number;
  /** Where the scratch store goes (default the OS's temporary directory). */
  readonly scratchDir?: string;
}

export interface WarmUpReport extends SyntheticCounts {
  readonly ms: number;
  /** Its scratch store's directory, removed by then. */
  readonly scratch: string;
}

const INTERFACE = 'warmup0';
/** The scratch store's directory: this prefix, the daemon's pid, a dash, mkdtemp's six characters. */
const SCRATCH_PREFIX = 'actor-dhcpd-warmup-';
const SCRATCH_NAME = new RegExp(`^${SCRATCH_PREFIX}(\\d+)-[A-Za-z0-9]{6}$`);
/** The budget's last this many ms run as an overload: some DISCOVERs arrive having waited, with the queue dropping,
 * so that shedding is compiled too. */
const OVERLOAD_MS = 200;
/** While overloaded, one new DISCOVER in this many arrives having waited this long: over listen.overload's target,
 * so that shedding takes it. */
const STALE_EVERY = 4;
const STALE_WAIT_US = 1_000_000;
const MAX_IN_FLIGHT = 4_096;
const ROUNDS = 32;

/** The start's warm-up (listen.warmupMs; 0: none), told in one line. Never rejects: a failure is logged, and the
 * daemon serves without it. */
export async function warmUpBeforeServing(budgetMs: number, log: Logger, scratchDir?: string): Promise<void> {
  if (budgetMs === 0) return;
  try {
    const report = await warmUp({ budgetMs, log, ...(scratchDir === undefined ? {} : { scratchDir }) });
    log.info({ evt: 'server.warmed', ...report }, 'packet path warmed up on synthetic exchanges');
  } catch (error) {
    const err = error instanceof DhcpdError ? error : new DhcpdError('DHCPD_ERR_WARMUP_FAILED', `warm-up failed: ${String(error)}`, { cause: error });
    log.warn({ evt: 'server.warmup_failed', err }, 'warm-up failed: serving without it');
  }
}

/** Runs the warm-up; resolves with what it did, or rejects. */
export async function warmUp(options: WarmUpOptions): Promise<WarmUpReport> {
  const started = Date.now();
  const log = options.log.child({ component: 'warmup' }, { level: 'error' });
  const parent = options.scratchDir ?? tmpdir();
  await removeStaleScratch(parent);
  const dir = await mkdtemp(join(parent, `${SCRATCH_PREFIX}${process.pid}-`));
  try {
    const counts = await drive(dir, options, log, started);
    return { ...counts, ms: Date.now() - started, scratch: dir };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Removes the scratch stores of daemons no longer running: one killed (or crashed) in its warm-up never removed its
 * own, and nothing else would. Another daemon's, still running, stays. Best effort: a failure here leaves them.
 */
async function removeStaleScratch(parent: string): Promise<void> {
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names) {
    const owner = SCRATCH_NAME.exec(name)?.[1];
    if (owner !== undefined && !processAlive(Number(owner))) await rm(join(parent, name), { recursive: true, force: true }).catch(() => undefined);
  }
}

async function drive(dir: string, options: WarmUpOptions, log: Logger, started: number): Promise<SyntheticCounts> {
  const config = scratchConfig(dir);
  const clients = new SyntheticClients(options.clients ?? 4_096, MAX_IN_FLIGHT, ROUNDS);
  const binding = loopbackBinding(clients);
  // Thrown away once closed: no snapshot at its close (~60-100 ms of a start otherwise).
  const store = await createStore(config, log, { snapshotAtClose: false });
  const app = startApp({
    config,
    log,
    store,
    localAddresses: () => [WARMUP_SERVER],
    openTransport: async () => createNativeTransport({
      port: config.listen.port,
      interfaces: config.interfaces,
      logger: log,
      binding,
      discover: () => ({
        found: [{ name: INTERFACE, index: 1, mac: '02:57:00:00:00:01', addresses: [{ address: WARMUP_SERVER, prefixLength: 16 }] }],
        missing: [],
        localAddresses: [WARMUP_SERVER],
      }),
      overload: config.listen.overload,
    }),
  });
  try {
    await Promise.race([app.ready, app.done.then(() => Promise.reject(new DhcpdError('DHCPD_ERR_WARMUP_FAILED', 'the warm-up pipeline stopped before serving')))]);
    await feed(binding, clients, started + options.budgetMs);
  } finally {
    await app.stop();
  }
  return clients.stats();
}

/** One receive batch per event-loop turn until the deadline or the clients are done; the last stretch overloaded. */
function feed(binding: LoopbackBinding, clients: SyntheticClients, deadline: number): Promise<void> {
  let drops = 0;
  return new Promise((resolve) => {
    const turn = () => {
      const now = Date.now();
      const buffers = binding.buffers;
      if (now >= deadline || clients.finished || buffers === undefined) {
        resolve();
        return;
      }
      const overloaded = now >= deadline - OVERLOAD_MS;
      if (overloaded) drops++;
      const count = clients.fill(buffers.slots, buffers.meta, RX_SLOTS, overloaded ? STALE_EVERY : 0, STALE_WAIT_US, drops);
      if (count > 0) binding.receive(count);
      setImmediate(turn);
    };
    setImmediate(turn);
  });
}

function scratchConfig(dir: string): ServerConfig {
  const wire = {
    serverId: WARMUP_SERVER,
    interfaces: [INTERFACE],
    store: { kind: 'level', path: join(dir, 'leases') },
    logging: { level: 'error' },
    conflictCheck: { enabled: false },
    control: { enabled: false },
    subnets: [
      { id: 1, subnet: '198.18.0.0/16', interface: INTERFACE, pools: [{ start: '198.18.1.0', end: '198.18.255.254' }], router: [WARMUP_SERVER] },
      { id: 2, subnet: '198.19.0.0/16', pools: [{ start: '198.19.1.0', end: '198.19.255.254' }], router: [WARMUP_RELAY] },
    ],
  };
  const result = parseConfig(JSON.stringify(wire), { baseDir: dir });
  if (!result.ok) throw new DhcpdError('DHCPD_ERR_WARMUP_FAILED', 'the warm-up\'s own config is invalid', { details: { issues: result.errors } });
  return result.config;
}
