// An in-process daemon whose config lives in a real file, reloaded through App.reload as SIGHUP does.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '../../../src/app.js';
import type { ManualClock } from '../../../src/clock.js';
import type { DhcpMessage } from '../../../src/codec/types.js';
import { fileLoader, type ConfigLoader } from '../../../src/reload/load.js';
import { openMemoryStore } from '../../../src/store/open.js';
import type { LeaseStore } from '../../../src/store/types.js';
import type { Logger } from '../../../src/log.js';
import { startTestDaemon, type LogLine } from '../../helpers/test-daemon.js';
import { LAB_CONFIG, type Sent } from '../../helpers/test-server.js';

export type Wire = typeof LAB_CONFIG & Record<string, unknown>;

/** LAB_CONFIG, deep-copied so a test can edit it; an absolute store path, so reading it from the file is the same. */
export const labWire = (): Wire => ({ ...structuredClone(LAB_CONFIG), store: { kind: 'memory', path: '/nonexistent/leases' } }) as Wire;

export interface ReloadServer {
  readonly app: App;
  readonly clock: ManualClock;
  readonly log: Logger;
  readonly logs: LogLine[];
  /** Writes the config file (an object as JSON, a string as is). */
  write(config: object | string): void;
  exchange(message: DhcpMessage, opts?: { broadcast?: boolean }): Promise<Sent | undefined>;
  evts(evt: string): LogLine[];
  stop(): Promise<void>;
}

export async function startReloadServer(
  initial: object,
  opts: { store?: LeaseStore; load?: (file: ConfigLoader) => ConfigLoader } = {},
): Promise<ReloadServer> {
  const dir = mkdtempSync(join(tmpdir(), 'dhcpd-reload-'));
  const file = join(dir, 'dhcpd.json');
  const write = (config: object | string) => writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  write(initial);
  const daemon = startTestDaemon({
    wire: initial,
    store: opts.store ?? (await openMemoryStore()),
    captureLogs: true,
    logLevel: 'info',
    loadConfig: (opts.load ?? ((l) => l))(fileLoader(file)),
  });
  const { app, clock, log, logs } = daemon;
  await app.ready;
  return {
    app, clock, log, logs, write,
    exchange: (message, o = {}) => daemon.exchange(message, { from: message.giaddr !== '0.0.0.0' ? message.giaddr : message.ciaddr, ...o }),
    evts: (evt) => logs.filter((l) => l.evt === evt),
    stop: async () => {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
