// The real server in process (memory link, manual clock, memory-level store) with a scripted ICMP prober whose
// silence lasts `timeoutMs` of the manual clock, and the log lines captured, for the conflict-check tests.
import { Writable } from 'node:stream';
import { MemoryLevel } from 'memory-level';
import { pino } from 'pino';
import { filter, firstValueFrom, take, timeout } from 'rxjs';
import { startApp, type App } from '../../../../src/app.js';
import { ManualClock } from '../../../../src/clock.js';
import { encode } from '../../../../src/codec/index.js';
import type { DhcpMessage } from '../../../../src/codec/types.js';
import type { EchoProber, EchoResult } from '../../../../src/net/icmp-prober.js';
import { LevelLeaseStore } from '../../../../src/store/level-store.js';
import { compile, LAB_CONFIG, MemoryLink, type Sent } from '../../../helpers/test-server.js';

export interface LogLine {
  readonly evt?: string;
  readonly level: number;
  readonly [key: string]: unknown;
}

/** Answers for the addresses in `inUse` at once; stays silent for the others until the probe's timeout. */
export class ScriptedProber implements EchoProber {
  readonly calls: { ip: string; timeoutMs: number }[] = [];
  readonly inUse = new Map<string, string>();
  /** Probes whose result has not come back yet. */
  inFlight = 0;
  closed = false;
  /** When set, probes wait for `answer` instead of ending on their own. */
  manual = false;
  readonly waiting: { ip: string; resolve: (r: EchoResult) => void }[] = [];

  constructor(private readonly clock: ManualClock) {}

  probe(ip: string, timeoutMs: number): Promise<EchoResult> {
    this.calls.push({ ip, timeoutMs });
    if (this.manual) return new Promise((resolve) => this.waiting.push({ ip, resolve }));
    const mac = this.inUse.get(ip);
    if (mac !== undefined) return Promise.resolve({ kind: 'reply', from: ip, mac });
    this.inFlight++;
    return new Promise((resolve) => this.clock.setTimer(timeoutMs, () => {
      this.inFlight--;
      resolve({ kind: 'silent' });
    }));
  }

  close(): void {
    this.closed = true;
  }

  probed(): string[] {
    return this.calls.map((c) => c.ip);
  }
}

export interface ProbeServer {
  readonly app: App;
  readonly link: MemoryLink;
  readonly clock: ManualClock;
  readonly prober: ScriptedProber;
  readonly logs: LogLine[];
  readonly store: LevelLeaseStore;
  /** Sends a message and waits for its reply, moving the clock `stepMs` per real millisecond (probes end). */
  exchange(message: DhcpMessage, opts?: { stepMs?: number; waitMs?: number }): Promise<Sent | undefined>;
  /** Sends a message without waiting. */
  send(message: DhcpMessage): void;
  stop(): Promise<number>;
}

export const settle = (ms = 2): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startProbeServer(opts: { conflictCheck?: object; wire?: object; openProber?: () => EchoProber } = {}): Promise<ProbeServer> {
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const clock = new ManualClock();
  const link = new MemoryLink();
  const prober = new ScriptedProber(clock);
  const store = new LevelLeaseStore(new MemoryLevel<string, string>(), { commitIntervalMs: 0 });
  const wire = { ...LAB_CONFIG, ...opts.wire, conflictCheck: { enabled: true, timeoutMs: 500, ...opts.conflictCheck } };
  const app = startApp({
    config: compile(wire), log: pino({ level: 'debug' }, sink), store, clock,
    openTransport: async () => link, localAddresses: () => ['198.51.100.1'],
    openProber: opts.openProber ?? (() => prober),
  });
  await app.ready;
  const send = (message: DhcpMessage): void => {
    const iface = { name: 'lab0', index: 2, mac: '02:00:5e:00:00:01', addresses: [{ address: '198.51.100.1', prefixLength: 24 }] };
    link.inbound$.next({
      data: encode(message), from: { address: '0.0.0.0', port: 68 }, iface,
      broadcast: message.ciaddr === '0.0.0.0', receivedAt: clock.now(),
    });
  };
  return {
    app, link, clock, prober, logs, store, send,
    async exchange(message, { stepMs = 100, waitMs = 1_000 } = {}) {
      const reply = firstValueFrom(link.sent$.pipe(filter((s) => s.message.xid === message.xid), take(1), timeout(waitMs)))
        .catch(() => undefined);
      let settled = false;
      void reply.then(() => (settled = true));
      send(message);
      while (stepMs > 0 && !settled) {
        await settle(1);
        clock.advance(stepMs);
      }
      return reply;
    },
    stop: () => app.stop(),
  };
}
