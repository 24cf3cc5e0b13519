// The real server in process (memory link, manual clock, memory-level store) with a scripted ICMP prober whose
// silence lasts `timeoutMs` of the manual clock, and the log lines captured, for the conflict-check tests.
import { MemoryLevel } from 'memory-level';
import { expect } from 'vitest';
import { ManualClock } from '../../../../src/clock.js';
import type { DhcpMessage } from '../../../../src/codec/types.js';
import type { EchoProber, EchoResult } from '../../../../src/net/icmp-prober.js';
import { LevelLeaseStore } from '../../../../src/store/level-store.js';
import { settle, startTestDaemon, type TestDaemon } from '../../../helpers/test-daemon.js';
import { LAB_CONFIG, type Sent } from '../../../helpers/test-server.js';

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

export interface ProbeServer extends Omit<TestDaemon, 'exchange'> {
  readonly prober: ScriptedProber;
  readonly store: LevelLeaseStore;
  /** Sends a message and waits for its reply, moving the clock `stepMs` per real millisecond (probes end). */
  exchange(message: DhcpMessage, opts?: { stepMs?: number; waitMs?: number }): Promise<Sent | undefined>;
  /** Sends a message without waiting. */
  send(message: DhcpMessage): void;
}

export async function startProbeServer(opts: { conflictCheck?: object; wire?: object; openProber?: () => EchoProber } = {}): Promise<ProbeServer> {
  const clock = new ManualClock();
  const prober = new ScriptedProber(clock);
  const store = new LevelLeaseStore(new MemoryLevel<string, string>(), { commitIntervalMs: 0 });
  const wire = { ...LAB_CONFIG, ...opts.wire, conflictCheck: { enabled: true, timeoutMs: 500, ...opts.conflictCheck } };
  const daemon = startTestDaemon({ wire, store, clock, captureLogs: true, openProber: opts.openProber ?? (() => prober) });
  await daemon.app.ready;
  return {
    ...daemon, prober, store,
    send: (message) => daemon.inject(message),
    exchange: (message, { stepMs = 100, waitMs = 1_000 } = {}) => daemon.exchange(message, { stepMs, waitMs }),
  };
}

/** Waits (at most 500 settle rounds) until `condition` holds, and fails the test if it never does. */
export async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await settle(1);
  expect(condition()).toBe(true);
}
