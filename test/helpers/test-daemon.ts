// The one in-process daemon for tests: the real server (codec, router, machines, lease book, store) over a memory
// link and a manual clock, built by options — the lab config or another, silent or with its log lines captured,
// the daemon on the test's clock or on a view of it (a property test's incarnation). Presets: startTestServer
// (test-server.ts) and the model harness (property-tests/harness/server-under-test.ts).
import { Writable } from 'node:stream';
import { pino, type Level, type Logger } from 'pino';
import { filter, firstValueFrom, take, timeout } from 'rxjs';
import { startApp, type App, type AppOptions } from '../../src/app.js';
import { ManualClock, type Clock } from '../../src/clock.js';
import { encode } from '../../src/codec/index.js';
import type { DhcpMessage } from '../../src/codec/types.js';
import { parseConfig } from '../../src/config/index.js';
import type { ServerConfig } from '../../src/config/types.js';
import type { LeaseStore } from '../../src/store/types.js';
import { LAB_CONFIG } from './lab-config.js';
import { MemoryLink, type Sent } from './memory-link.js';

export const SERVER_ID = '198.51.100.1';
const LAB_IFACE = { name: 'lab0', index: 2, mac: '02:00:5e:00:00:01', addresses: [{ address: SERVER_ID, prefixLength: 24 }] };

export interface TestDaemonOptions extends Partial<Pick<AppOptions, 'loadConfig' | 'openProber' | 'strategies' | 'openTransport' | 'onDecision' | 'heap' | 'background'>> {
  readonly store: LeaseStore;
  /** The wire config, compiled here; the lab's by default. */
  readonly wire?: unknown;
  /** A config compiled already (it wins over `wire`). */
  readonly config?: ServerConfig;
  /** The test's time; a fresh manual clock by default. */
  readonly clock?: ManualClock;
  /** The clock the daemon runs on when it is not `clock` itself but a view of it (an incarnation that can die). */
  readonly daemonClock?: Clock;
  /** Keep the log lines in `logs`; else the daemon logs nothing. */
  readonly captureLogs?: boolean;
  /** The level the captured log starts at (the config's own `logging.level` is the daemon's at start); debug by default. */
  readonly logLevel?: Level;
  /** The daemon's link when `openTransport` is not given; a fresh memory link by default. */
  readonly link?: MemoryLink;
  /** Relayed messages arrive on lab0 too, as a socket reports them (tests of per-interface trust); else on none. */
  readonly relayedOnLab0?: boolean;
}

export interface LogLine {
  readonly evt?: string;
  readonly level: number;
  readonly [key: string]: unknown;
}

export interface InjectOptions {
  /** The source address; the relay (giaddr) for a relayed message, else 0.0.0.0. */
  readonly from?: string;
  /** Whether it arrived broadcast; by default when the client has no address yet (ciaddr 0.0.0.0). */
  readonly broadcast?: boolean;
  /** When the transport read it; now by default (earlier: it waited behind a backlog). */
  readonly receivedAt?: number;
}

export interface TestDaemon {
  readonly app: App;
  readonly link: MemoryLink;
  readonly clock: ManualClock;
  /** The logger the daemon was given (a reload of `logging.level` changes its level). */
  readonly log: Logger;
  /** The captured log lines (empty unless `captureLogs`). */
  readonly logs: LogLine[];
  evts(): string[];
  /** Hands a client message to the daemon as the network would: directly on lab0, or from its relay. */
  inject(message: DhcpMessage, opts?: InjectOptions): void;
  /**
   * Injects a message and waits for the reply to its xid (undefined after `waitMs` of real time); with `stepMs`,
   * moves the clock that much per real millisecond meanwhile (retries wait on it).
   */
  exchange(message: DhcpMessage, opts?: InjectOptions & { waitMs?: number; stepMs?: number }): Promise<Sent | undefined>;
  stop(): Promise<number>;
}

export function compile(wire: unknown): ServerConfig {
  const result = parseConfig(JSON.stringify(wire), { baseDir: '/tmp' });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
}

/** Starts the daemon; `app.ready` tells when it serves. */
export function startTestDaemon(options: TestDaemonOptions): TestDaemon {
  const { wire, config, clock = new ManualClock(), daemonClock, captureLogs, logLevel = 'debug', link = new MemoryLink(), relayedOnLab0, ...appOptions } = options;
  const logs: LogLine[] = [];
  const log = captureLogs === true ? pino({ level: logLevel }, logSink(logs)) : pino({ level: 'silent' });
  const app = startApp({
    openTransport: async () => link,
    localAddresses: () => [SERVER_ID],
    ...appOptions,
    config: config ?? compile(wire ?? LAB_CONFIG),
    log,
    clock: daemonClock ?? clock,
  });
  const inject = (message: DhcpMessage, opts: InjectOptions = {}): void => {
    const relayed = message.giaddr !== '0.0.0.0';
    link.inbound$.next({
      data: encode(message),
      from: { address: opts.from ?? (relayed ? message.giaddr : '0.0.0.0'), port: relayed ? 67 : 68 },
      ...(relayed && relayedOnLab0 !== true ? {} : { iface: LAB_IFACE }),
      broadcast: opts.broadcast ?? message.ciaddr === '0.0.0.0',
      receivedAt: opts.receivedAt ?? clock.now(),
    });
  };
  return {
    app, link, clock, log, logs, inject,
    evts: () => logs.map((l) => l.evt ?? ''),
    async exchange(message, { waitMs = 300, stepMs = 0, ...route } = {}) {
      const reply = firstValueFrom(
        link.sent$.pipe(filter((s) => s.message.xid === message.xid), take(1), timeout(waitMs)),
      ).catch(() => undefined);
      let settled = false;
      void reply.then(() => (settled = true));
      inject(message, route);
      while (stepMs > 0 && !settled) {
        await new Promise((r) => setTimeout(r, 1));
        clock.advance(stepMs);
      }
      return reply;
    },
    stop: () => app.stop(),
  };
}

/** Lets pending promise callbacks and short real timers run. */
export const settle = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms));

function logSink(logs: LogLine[]): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
}
