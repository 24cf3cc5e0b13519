// The whole server in process for model-based tests: real codec, router, transaction and lease machines, lease
// book and store, over a memory link and a manual clock; it can crash (no shutdown), restart and be reconfigured.
import type fc from 'fast-check';
import type { App } from '../../src/app.js';
import { ManualClock } from '../../src/clock.js';
import type { DhcpMessage } from '../../src/codec/types.js';
import type { ReloadReport } from '../../src/config/reload-report.js';
import type { ServerConfig } from '../../src/config/types.js';
import type { EchoProber, EchoResult } from '../../src/net/icmp-prober.js';
import type { LeaseStore } from '../../src/store/types.js';
import { compile, startTestDaemon, type TestDaemon } from '../../test/helpers/test-daemon.js';
import { CrashDisk, type DiskKind, type StoreHandle } from './crash-disk.js';
import { IncarnationClock } from './incarnation-clock.js';
import { GatedStore } from './gated-store.js';

/** Compiling a config (zod) costs more than a whole command: each wire object is compiled once. */
const compiled = new WeakMap<object, ServerConfig>();
export function compileOnce(wire: object): ServerConfig {
  let config = compiled.get(wire);
  if (config === undefined) compiled.set(wire, (config = compile(wire)));
  return config;
}
/** Longest real time one message may take to be decided (a hang is a failure, not a wait). */
const DECISION_TIMEOUT_MS = 5_000;

export interface HarnessOptions {
  readonly disk: DiskKind;
  readonly config: object;
  /** Test-only wrapper around each incarnation's store (mutants: e.g. acknowledging before the write). */
  readonly wrapStore?: (store: LeaseStore) => LeaseStore;
}

/** How a message reaches the server: directly on lab0 (broadcast or unicast) or through a relay. */
export interface Route {
  readonly broadcast: boolean;
}

/** What the server did with one message: its replies, and the reasons it counted for dropping it. */
export interface Outcome {
  readonly replies: readonly DhcpMessage[];
  readonly drops: readonly string[];
  /** Position of its first reply among everything the server sent in the same exchange (Infinity: none). */
  readonly order: number;
}

export interface Sending {
  readonly message: DhcpMessage;
  readonly route: Route;
}

interface Incarnation {
  readonly gate: GatedStore;
  readonly daemon: TestDaemon;
  readonly clock: IncarnationClock;
  readonly store: StoreHandle;
}

export class ServerUnderTest {
  readonly clock = new ManualClock();
  private readonly disk: CrashDisk;
  private current!: Incarnation;
  private compiled: ServerConfig;
  private scheduler: fc.Scheduler | undefined;
  incarnations = 0;

  private constructor(private readonly options: HarnessOptions) {
    this.disk = new CrashDisk(options.disk);
    this.compiled = compileOnce(options.config);
  }

  static async start(options: HarnessOptions): Promise<ServerUnderTest> {
    const server = new ServerUnderTest(options);
    await server.boot();
    return server;
  }

  get config(): ServerConfig {
    return this.compiled;
  }

  /** The daemon's leases, through its public queries. */
  get book(): Pick<App, 'isTaken'> & { get: App['lease']; values: App['leases'] } {
    const { app } = this.current.daemon;
    return { get: (ip) => app.lease(ip), isTaken: (ip) => app.isTaken(ip), values: () => app.leases() };
  }

  get app(): App {
    return this.current.daemon.app;
  }

  /** Reloads the config through the daemon's own reload path (lock, diff, atomic swap, offers withdrawn). */
  async reconfigure(wire: object): Promise<ReloadReport> {
    this.compiled = compileOnce(wire);
    const report = await this.app.reload('api');
    if (report.result === 'failed') throw new Error(`reload of a valid config failed: ${JSON.stringify(report.issues)}`);
    await this.settle();
    return report;
  }

  async send(message: DhcpMessage, route: Route): Promise<Outcome> {
    const [outcome] = await this.sendMany([{ message, route }]);
    return outcome!;
  }

  /**
   * Sends messages at once (concurrent clients) and waits until each is decided. With a scheduler, the store's
   * acknowledgements are released in the order it picks, so commits of concurrent requests interleave every way.
   */
  async sendMany(sendings: readonly Sending[], scheduler?: fc.Scheduler): Promise<Outcome[]> {
    const { app, link } = this.current.daemon;
    const counters = () => app.statistics().counters;
    const dropsBefore = counters().drops ?? {};
    const sentBefore = link.sent.length;
    // Every message ends in a reply, a counted drop or an accepted RELEASE / DECLINE (which sends nothing).
    const decisions = (): number => {
      const { drops = {}, events = {} } = counters();
      return sumOf(drops) + link.sent.length + (events['dhcp.accepted'] ?? 0);
    };
    const target = decisions() + sendings.length;
    this.scheduler = scheduler;
    try {
      for (const { message, route } of sendings) this.inject(message, route);
      const deadline = Date.now() + DECISION_TIMEOUT_MS;
      while (decisions() < target || (scheduler?.count() ?? 0) > 0) {
        if (Date.now() > deadline) throw new Error(`no decision within ${DECISION_TIMEOUT_MS} ms (server hung)`);
        if (scheduler !== undefined && scheduler.count() > 0) await scheduler.waitOne();
        else await tick();
      }
    } finally {
      this.scheduler = undefined;
    }
    const drops: string[] = [];
    for (const [reason, n] of Object.entries(counters().drops ?? {})) for (let i = dropsBefore[reason] ?? 0; i < n; i++) drops.push(reason);
    const sent = link.sent.slice(sentBefore).map((s) => s.message);
    return sendings.map(({ message }) => {
      const first = sent.findIndex((r) => r.xid === message.xid);
      return { replies: sent.filter((r) => r.xid === message.xid), drops, order: first < 0 ? Infinity : first };
    });
  }

  private inject(message: DhcpMessage, route: Route): void {
    const from = message.giaddr !== '0.0.0.0' ? message.giaddr : message.ciaddr;
    this.current.daemon.inject(message, { from, broadcast: route.broadcast });
  }

  /**
   * Sends a message while the store never completes a write, lets the server run for a while, and crashes it:
   * the server must not have answered with anything that needs a durable write (no ACK before the sync).
   */
  async sendThenCrash(message: DhcpMessage, route: Route): Promise<DhcpMessage[]> {
    const { daemon: { link }, gate } = this.current;
    const sentBefore = link.sent.length;
    gate.hold = true;
    this.inject(message, route);
    for (let i = 0; i < 50; i++) await tick();
    const replies = link.sent.slice(sentBefore).map((s) => s.message);
    await this.crash();
    return replies;
  }

  /** Moves time on; timers fire; their (unawaited) store writes are let through before the next command. */
  async advance(ms: number): Promise<void> {
    this.clock.advance(ms);
    await this.settle();
  }

  /** Drops the process: no stop(), no drain; only acknowledged writes survive. Then starts a new one. */
  async crash(): Promise<void> {
    const dead = this.current;
    dead.store.crash();
    dead.clock.kill();
    await this.boot();
  }

  /** A clean stop (quiesce, drain, close) and a start over the same disk. */
  async restart(): Promise<void> {
    const old = this.current;
    const code = await old.daemon.stop();
    if (code !== 0) throw new Error(`clean stop exited ${code}`);
    old.clock.kill();
    await this.boot();
  }

  async dispose(): Promise<void> {
    this.current.store.crash();
    this.current.clock.kill();
    await this.disk.dispose();
  }

  private async boot(): Promise<void> {
    const clock = new IncarnationClock(this.clock);
    const store = this.disk.handle();
    const gated = new GatedStore(store, () => this.scheduler);
    const daemon = startTestDaemon({
      config: this.compiled,
      // A reload reads the config reconfigure() set, as the daemon reads its file again.
      loadConfig: async () => ({ ok: true, config: this.compiled }),
      store: this.options.wrapStore ? this.options.wrapStore(gated) : gated,
      clock: this.clock,
      daemonClock: clock,
      openProber: () => SILENT_LINK,
    });
    await daemon.app.ready;
    this.current = { daemon, clock, store, gate: gated };
    this.incarnations++;
    // Deadlines that passed while the server was down fire now (the daemon's timers would fire on the next tick).
    this.clock.advance(0);
    await this.settle();
  }

  private async settle(): Promise<void> {
    const deadline = Date.now() + DECISION_TIMEOUT_MS;
    await tick();
    while (this.current.store.health().pendingWrites > 0) {
      if (Date.now() > deadline) throw new Error('store writes did not settle');
      await tick();
    }
  }
}

function sumOf(table: Readonly<Record<string, number>>): number {
  let n = 0;
  for (const v of Object.values(table)) n += v;
  return n;
}

/**
 * The conflict check's ICMP probes on the model's link, where no foreign host answers: each is silent, one turn of
 * the event loop later. A probe takes time as a real one does, so an OFFER waiting for its probe goes out after
 * replies decided without one — and an OFFER sent before a probe it depends on has ended shows (offer-joined.ts).
 */
const SILENT_LINK: EchoProber = {
  probe: () => new Promise<EchoResult>((resolve) => setImmediate(() => resolve({ kind: 'silent' }))),
  close: () => {},
};

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
