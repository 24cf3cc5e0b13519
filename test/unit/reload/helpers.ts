// An in-process daemon whose config lives in a real file, reloaded through App.reload as SIGHUP does.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { filter, firstValueFrom, take, timeout } from 'rxjs';
import { startApp, type App } from '../../../src/app.js';
import { ManualClock } from '../../../src/clock.js';
import { encode } from '../../../src/codec/index.js';
import type { DhcpMessage } from '../../../src/codec/types.js';
import { fileLoader, type ConfigLoader } from '../../../src/reload/load.js';
import { openMemoryStore } from '../../../src/store/open.js';
import type { LeaseStore } from '../../../src/store/types.js';
import { LAB_CONFIG, MemoryLink, compile, type Sent } from '../../helpers/test-server.js';

export type Wire = typeof LAB_CONFIG & Record<string, unknown>;

/** LAB_CONFIG, deep-copied so a test can edit it; an absolute store path, so reading it from the file is the same. */
export const labWire = (): Wire => ({ ...structuredClone(LAB_CONFIG), store: { kind: 'memory', path: '/nonexistent/leases' } }) as Wire;

const IFACE = { name: 'lab0', index: 2, mac: '02:00:5e:00:00:01', addresses: [{ address: '198.51.100.1', prefixLength: 24 }] };

export interface ReloadServer {
  readonly app: App;
  readonly clock: ManualClock;
  readonly logs: Record<string, unknown>[];
  /** Writes the config file (an object as JSON, a string as is). */
  write(config: object | string): void;
  exchange(message: DhcpMessage, opts?: { broadcast?: boolean }): Promise<Sent | undefined>;
  evts(evt: string): Record<string, unknown>[];
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
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const link = new MemoryLink();
  const clock = new ManualClock();
  const app = startApp({
    config: compile(initial),
    log: pino({ level: 'info' }, sink),
    store: opts.store ?? (await openMemoryStore()),
    clock,
    openTransport: async () => link,
    localAddresses: () => ['198.51.100.1'],
    loadConfig: (opts.load ?? ((l) => l))(fileLoader(file)),
  });
  await app.ready;
  return {
    app, clock, logs, write,
    exchange(message, o = {}) {
      const reply = firstValueFrom(link.sent$.pipe(filter((s) => s.message.xid === message.xid), take(1), timeout(300)))
        .catch(() => undefined);
      const relayed = message.giaddr !== '0.0.0.0';
      link.inbound$.next({
        data: encode(message),
        from: { address: relayed ? message.giaddr : message.ciaddr, port: relayed ? 67 : 68 },
        ...(relayed ? {} : { iface: IFACE }),
        broadcast: o.broadcast ?? message.ciaddr === '0.0.0.0',
        receivedAt: clock.now(),
      });
      return reply;
    },
    evts: (evt) => logs.filter((l) => l['evt'] === evt),
    stop: async () => {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
