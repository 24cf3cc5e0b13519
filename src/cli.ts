#!/usr/bin/env -S node --max-semi-space-size=32
// The actor-dhcpd command: runs the daemon in the foreground, checks a config, repairs a store. The only module
// that touches `process` (signals, exit codes, argv). The shebang gives V8 a 32 MB young generation: the packet
// path allocates many short-lived objects, and the default semi-space made scavenges ~28 % of the CPU (measured
// with bench/inprocess.bench.ts; the larger one gave ~15 % more DORA/s). It cannot be set from inside the process.
import { readFileSync } from 'node:fs';
import { Level } from 'level';
import { startApp, type App } from './app.js';
import { checkConfigFile, loadConfigFile } from './config/index.js';
import type { ServerConfig } from './config/types.js';
import { classify, ConfigError } from './errors.js';
import { createLogger, type Logger } from './log.js';
import { claimPort } from './net/port-owner.js';
import { openTransport } from './net/select-transport.js';
import { fileLoader } from './reload/load.js';
import { LevelLeaseStore } from './store/level-store.js';
import { repairStore } from './store/repair.js';
import type { LeaseStore } from './store/types.js';

const USAGE = `Usage:
  actor-dhcpd --config FILE          run the DHCPv4 server in the foreground
  actor-dhcpd check-config FILE      validate a config file: prints "ok" or each error with its JSON path
  actor-dhcpd repair-store PATH      repair a damaged LevelDB lease store (stop the daemon first)
  actor-dhcpd --help | --version

Signals: SIGTERM/SIGINT finish in-flight commits, close the store and exit 0.
         SIGHUP reloads the config file: applied atomically, or refused with each error (the old config keeps serving).
         SIGUSR2 logs one line (evt "server.health") with the supervisor tree, store health and counters.
Exit codes: 0 stopped, 1 failed (config invalid, store damaged: the message names the repair command), 2 usage.
Docs: README.md, docs/config.md, docs/errors.md`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, arg] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    console.log(version());
    return 0;
  }
  if (command === 'check-config' && arg !== undefined) {
    const result = await checkConfigFile(arg);
    for (const line of result.lines) (result.ok ? console.log : console.error)(line);
    return result.ok ? 0 : 1;
  }
  if (command === 'repair-store' && arg !== undefined) {
    const report = await repairStore(arg);
    console.log(JSON.stringify(report));
    return 0;
  }
  if ((command === '--config' || command === '-c') && arg !== undefined) return run(arg);
  console.error(USAGE);
  return 2;
}

async function run(file: string): Promise<number> {
  // Node's default action for SIGHUP is to exit: from here on it asks for a reload (one asked early runs once serving).
  let app: App | undefined;
  let reloadAsked = false;
  const onHangup = () => (app === undefined ? (reloadAsked = true) : void app.reload('signal'));
  process.on('SIGHUP', onHangup);
  try {
    return await serve(file, (started) => {
      app = started;
      if (reloadAsked) void started.reload('signal');
    });
  } finally {
    process.off('SIGHUP', onHangup);
  }
}

async function serve(file: string, started: (app: App) => void): Promise<number> {
  let config: ServerConfig;
  try {
    config = await loadConfigFile(file);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const issues = (error.details.issues as { path: string; message: string }[] | undefined) ?? [];
    // One log line for the journal and alerting (the config's own log level is unknown here), then the details.
    createLogger('info').fatal({ evt: 'config.invalid', err: error, issues }, 'config rejected: not starting');
    console.error(`${error.code}: ${error.message}`);
    for (const issue of issues) console.error(`${issue.path}: ${issue.message}`);
    return 1;
  }
  const log = createLogger(config.logging.level);
  log.info({ evt: 'server.starting', version: version(), config: file, pid: process.pid }, 'actor-dhcpd starting');
  let claim;
  try {
    claim = await claimPort(config.listen.port, config.listen.address);
  } catch (error) {
    const err = classify(error);
    log.fatal({ evt: 'server.port_in_use', err }, 'not starting: the DHCP port is served by another process');
    log.flush();
    console.error(`${err.code}: ${err.message}`);
    return 1;
  }
  const app = startApp({
    config,
    log,
    store: createStore(config, log),
    openTransport: () =>
      openTransport({
        port: config.listen.port,
        address: config.listen.address,
        interfaces: config.interfaces,
        logger: log,
        prefer: config.listen.transport,
        native: { unlistedUnicast: config.listen.unlistedUnicast },
      }),
    loadConfig: fileLoader(file),
  });
  started(app);
  const stop = (signal: string) => {
    log.info({ evt: 'server.stopping', signal }, 'draining');
    void app.stop();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  const dumpHealth = () => log.info({ evt: 'server.health', health: app.health(), statistics: app.statistics() }, 'health');
  process.on('SIGUSR2', dumpHealth);
  // A failure before serving (a damaged store, say) is also told on stderr, with the repair command in its message.
  app.ready.catch((error: unknown) => {
    const err = classify(error);
    console.error(`${err.code}: ${err.message}`);
  });
  const code = await app.done;
  process.off('SIGUSR2', dumpHealth);
  await claim.release();
  log.info({ evt: 'server.stopped', code }, 'actor-dhcpd stopped');
  log.flush();
  return code;
}

function createStore(config: ServerConfig, log: Logger): LeaseStore {
  const options = {
    maxBatch: config.store.maxBatch,
    commitIntervalMs: config.store.commitIntervalMs,
    logger: log.child({ component: 'store' }),
    location: config.store.path,
    reopenBackoff: config.supervision.strategies.store.backoff,
  };
  return new LevelLeaseStore(new Level<string, string>(config.store.path, { createIfMissing: true }), options);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const err = classify(error);
    console.error(`${err.code}: ${err.message}`);
    process.exitCode = 1;
  },
);
