// The actor-dhcpd command, loaded by cli.ts once the snapshot prefetch has started: runs the daemon in the
// foreground, checks a config, repairs a store. The only module that touches `process` (signals, exit codes, argv),
// besides early-prefetch.ts, which reads the argv first.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { startApp, type App } from './app.js';
import { systemClock } from './clock.js';
import { checkConfigFile, loadConfigFile } from './config/index.js';
import type { ServerConfig } from './config/types.js';
import { isClientCommand } from './control/cli/args.js';
import { controlApiOf, metricsSourceOf } from './control/from-app.js';
import { bindControlServer, type BoundControl } from './control/server.js';
import { classify, ConfigError } from './errors.js';
import { createLogger, type Logger } from './log.js';
import { createMetrics, type DaemonMetrics } from './metrics/metrics.js';
import { openIcmpProber } from './net/icmp-prober.js';
import { claimPort, type PortClaim } from './net/port-owner.js';
import { openTransport } from './net/select-transport.js';
import { fileLoader } from './reload/load.js';
import { createStore } from './store/factory.js';
import { backgroundThreads, procTasks } from './tuning/background-threads.js';
import { v8HeapGrowth } from './tuning/v8-heap.js';
import { warmUpBeforeServing } from './warmup/warm-up.js';
import type { CommandResult } from './visualizer/commands.js';
import { uiDepsOf, uiPlugin } from './visualizer/ui-plugin.js';

const USAGE = `Usage:
  actor-dhcpd --config FILE          run the DHCPv4 server in the foreground
  actor-dhcpd check-config FILE      validate a config file: prints "ok" or each error with its JSON path
  actor-dhcpd repair-store PATH      repair a damaged LevelDB lease store (stop the daemon first)
  actor-dhcpd migrate --config FILE  create or upgrade the PostgreSQL lease database of a config (store.kind "postgres")
  actor-dhcpd diagram lease|transaction|server [--format mermaid|dot|svg]
                                     draw a state machine from its definition
  actor-dhcpd history --mac M | --ip IP | --client-id HEX | --hostname H [--store PATH | --socket PATH | --config FILE] [--json]
                                     a lease's transitions: from the running daemon, or from a stopped one's store
  actor-dhcpd ui [--listen HOST:PORT] [--socket PATH | --config FILE]
                                     open the daemon's /ui page in a browser: relays GET /ui from 127.0.0.1:8067
  actor-dhcpd replay CAPTURE --config FILE [--compare]
                                     feed a pcap/pcapng capture through the server on a simulated clock (JSON lines)
  actor-dhcpd --help | --version

Asking the running daemon (over its control socket; --socket PATH when control.socket is not the default
/run/actor-dhcpd/control.sock; a table by default, the API's JSON with --json):
  actor-dhcpd leases [--mac M | --client-id HEX | --ip IP | --subnet ID | --state S] [--json]
  actor-dhcpd lease IP [--json]      one lease and its recent history
  actor-dhcpd release IP             release a lease now (stored and logged as lease.released)
  actor-dhcpd stats [--json]         counters and pool utilization
  actor-dhcpd health [--json]        the supervisor tree and the store (exit 1 unless ok)
  actor-dhcpd reload [--json]        reload the config file, as SIGHUP (exit 1 if refused)

Signals: SIGTERM/SIGINT finish in-flight commits, close the store and exit 0.
         SIGHUP reloads the config file: applied atomically, or refused with each error (the old config keeps serving).
         SIGUSR2 logs one line (evt "server.health") with the supervisor tree, store health and counters.
Exit codes: 0 stopped, 1 failed (config invalid, store damaged: the message names the repair command), 2 usage;
            client commands: 0 ok, 1 error answer, 2 usage, 3 no daemon answers on the socket.
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
  // The other commands' modules are imported when run: the daemon's start (`--config`) does not load them.
  if (command === 'repair-store' && arg !== undefined) {
    const { repairStore } = await import('./store/repair.js');
    const report = await repairStore(arg);
    console.log(JSON.stringify(report));
    return 0;
  }
  if (command === 'migrate' && argv[2] !== undefined && (arg === '--config' || arg === '-c')) return runMigrate(argv[2]);
  if (command === 'diagram') return printed(await (await import('./visualizer/commands.js')).diagramCommand(argv.slice(1)));
  if (command === 'history') return printed(await (await import('./visualizer/commands.js')).historyCommand(argv.slice(1)));
  if (command === 'ui') {
    const { uiCommand } = await import('./visualizer/commands.js');
    const stopped = new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
    return printed(await uiCommand(argv.slice(1), stopped, (text) => process.stdout.write(text)));
  }
  if (command === 'replay') {
    const { replayCommand } = await import('./replay/command.js');
    return printed(await replayCommand(argv.slice(1), (text) => process.stdout.write(text)));
  }
  if ((command === '--config' || command === '-c') && arg !== undefined) return run(arg);
  if (isClientCommand(command)) {
    const { runClientCommand } = await import('./control/cli/commands.js');
    const result = await runClientCommand(argv);
    for (const line of result.stdout) console.log(line);
    for (const line of result.stderr) console.error(line);
    return result.code;
  }
  console.error(USAGE);
  return 2;
}

function printed(result: CommandResult): number {
  if (result.stdout !== undefined) process.stdout.write(result.stdout);
  if (result.stderr !== undefined) process.stderr.write(result.stderr);
  return result.code;
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

async function serve(file: string, onStarted: (app: App) => void): Promise<number> {
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
  const started: { app?: App } = {};
  // A line the bounded log writer had to drop (stdout stalled) is counted: statistics().counters.events['log.dropped'].
  const log = createLogger(config.logging.level, 1, { onDrop: () => countLogDrop(started.app) });
  log.info({ evt: 'server.starting', version: version(), config: file, pid: process.pid }, 'actor-dhcpd starting');
  let claim: PortClaim;
  try {
    claim = await claimPort(config.listen.port, config.listen.address);
  } catch (error) {
    const err = classify(error);
    log.fatal({ evt: 'server.port_in_use', err }, 'not starting: the DHCP port is served by another process');
    log.flush();
    console.error(`${err.code}: ${err.message}`);
    return 1;
  }
  const running = () => started.app as App;
  const metrics = createMetrics(metricsSourceOf(running), version());
  // Before the App starts: a control socket another daemon holds stops this one before it serves anything.
  const control = await openControl(config, log);
  if (control === 'failed') return 1;
  await warmUpBeforeServing(config.listen.warmupMs, log);
  const store = await createStore(config, log, { version: version(), onCommit: metrics.observeCommit, telemetry: metrics.postgres });
  const heap = v8HeapGrowth();
  const background = backgroundThreads(procTasks());
  const app = startApp({
    config,
    log,
    store,
    onDecision: metrics.observeDecision,
    openTransport: () =>
      openTransport({
        port: config.listen.port,
        address: config.listen.address,
        interfaces: config.interfaces,
        logger: log,
        prefer: config.listen.transport,
        native: {
          unlistedUnicast: config.listen.unlistedUnicast,
          overload: config.listen.overload,
          discoverQueueBytes: config.listen.discoverQueueKiB * 1024,
        },
        receiveBufferBytes: config.listen.receiveBufferKiB * 1024,
      }),
    openProber: () => openIcmpProber({ clock: systemClock }),
    loadConfig: fileLoader(file),
    ...(heap === undefined ? {} : { heap }),
    ...(background === undefined ? {} : { background }),
  });
  started.app = app;
  onStarted(app);
  // The API is built once DHCP is served, or at the first request that waits for it (control/held-listener.ts).
  if (control !== undefined) {
    const build = once(() => openApi(control, running, metrics, file));
    control.whenWaiting(build);
    app.ready.then(build, () => {});
  }
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
  await control?.close();
  process.off('SIGUSR2', dumpHealth);
  await claim.release();
  log.info({ evt: 'server.stopped', code }, 'actor-dhcpd stopped');
  log.flush();
  return code;
}

function countLogDrop(app: App | undefined): void {
  app?.noteLogDropped();
}

async function runMigrate(file: string): Promise<number> {
  // Imported here: pg is not loaded by a daemon that does not use PostgreSQL.
  const { migrateDatabase } = await import('./store/postgres/migrate-command.js');
  const report = await migrateDatabase(await loadConfigFile(file));
  console.log(JSON.stringify(report));
  return 0;
}

/** The control API and /metrics, up while the daemon runs; a socket it cannot take keeps the daemon from starting (exit 1). */
async function openControl(config: ServerConfig, log: Logger): Promise<BoundControl | undefined | 'failed'> {
  if (!config.control.enabled) return undefined;
  try {
    return await bindControlServer({ config: config.control, log, version: version() });
  } catch (error) {
    const err = classify(error);
    log.fatal({ evt: 'control.listen_failed', err }, 'control API cannot listen: not starting');
    console.error(`${err.code}: ${err.message}`);
    return 'failed';
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) fn();
    done = true;
  };
}

/** Builds the API behind the bound control listeners (logged when it fails: they answer 503 then). */
function openApi(control: BoundControl, app: () => App, metrics: DaemonMetrics, file: string): void {
  const api = controlApiOf(app, {
    baseDir: dirname(resolve(file)),
    metrics: () => metrics.render(),
    reload: (trigger) => app().reload(trigger),
    securityEvents: (limit) => app().securityEvents(limit),
  });
  control.serve(api, [uiPlugin(uiDepsOf(app))]).catch(() => {}); // logged by serve; the listeners answer 503
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
