// Crash consistency under load (issue 5): a relay-mode load generator in its own namespace drives the daemon hard,
// the daemon is SIGKILLed at a random moment, restarted on the same store, and every lease the load generator
// saw ACKed is checked with an INIT-REBOOT REQUEST from its client: zero lost, zero bound to two clients.
// Held offers are asked for after the restart (NAK, or ACK when their commit had landed). A few kill points a run;
// the last one after a start from the snapshot a clean stop wrote, so that restart replays the commit journal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './harness/daemon.js';
import { killAllProcs, removeTempDirs, sleep, tempDir } from './harness/proc.js';
import { integrationSkip } from './harness/suite.js';
import { cleanupDeadNamespaces, createFaultLab, FaultDaemon, GIADDR, Loadgen, SERVER_IP, type FaultLab } from './fault/lab.js';
import type { Binding, LoadEvent, LoadgenArgs } from './fault/loadgen.child.js';

const skip = integrationSkip('crash');
const ROUNDS = 3;
const base = { server: SERVER_IP, giaddr: GIADDR, concurrency: 48, timeoutMs: 800, tries: 2 } as const;

/** Everything the load generator was told, over all rounds. */
class Ledger {
  /** ip -> macs that got an ACK for it. */
  readonly ackedTo = new Map<string, Set<string>>();
  /** mac -> its latest ACKed address, unless it declined that address since. */
  readonly bindings = new Map<string, string>();
  readonly declining = new Set<string>();
  private readonly offers = new Map<string, string>();

  add(events: readonly LoadEvent[]): void {
    for (const e of events) {
      if (e.t === 'ack') {
        if (!this.ackedTo.has(e.ip)) this.ackedTo.set(e.ip, new Set());
        this.ackedTo.get(e.ip)!.add(e.mac);
        this.bindings.set(e.mac, e.ip);
        this.offers.delete(e.mac);
      } else if (e.t === 'offer') {
        this.offers.set(e.mac, e.ip);
      } else if (e.t === 'decline') {
        this.declining.add(e.mac);
        this.bindings.delete(e.mac);
      } else if (e.t === 'nak' && e.kind === 'held-offer') {
        this.offers.delete(e.mac);
      }
    }
  }

  acked(): Binding[] {
    return [...this.bindings].map(([mac, ip]) => ({ mac, ip }));
  }

  /** Offers whose REQUEST got no answer before the kill. */
  heldOffers(): Binding[] {
    return [...this.offers].map(([mac, ip]) => ({ mac, ip }));
  }

  doubleAllocated(): string[] {
    return [...this.ackedTo].filter(([, macs]) => macs.size > 1).map(([ip, macs]) => `${ip}: ${[...macs].join(' ')}`);
  }

  /** Clients that were ACKed two different addresses without declining one. */
  movedClients(): string[] {
    const ipsOf = new Map<string, Set<string>>();
    for (const [ip, macs] of this.ackedTo) for (const mac of macs) ipsOf.set(mac, (ipsOf.get(mac) ?? new Set()).add(ip));
    return [...ipsOf].filter(([mac, ips]) => ips.size > 1 && !this.declining.has(mac)).map(([mac, ips]) => `${mac}: ${[...ips].join(' ')}`);
  }
}

describe.skipIf(skip !== undefined)('kill -9 under load, then restart', () => {
  let lab: FaultLab | undefined;
  let daemon: FaultDaemon | undefined;
  let storeDir = '';
  const ledger = new Ledger();

  beforeAll(async () => {
    await cleanupDeadNamespaces();
    await ensureBuilt();
    lab = await createFaultLab();
    storeDir = `${tempDir('crash')}/leases`;
  }, 120_000);

  afterAll(async () => {
    try {
      await daemon?.proc.stop('SIGKILL', 1_000);
      await lab?.destroy();
    } finally {
      await killAllProcs();
      removeTempDirs();
    }
  }, 60_000);

  async function loadUntilKilled(round: number, signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<{ killAfterMs: number; acks: number; code: number | null }> {
    const args: LoadgenArgs = {
      ...base, mode: 'load', prefix: round + 1, first: 0, count: 1_500, renew: ledger.acked(), declineEvery: 97,
      durationMs: 10_000, maxOps: 8_000,
    };
    const gen = new Loadgen(lab!, args);
    // The kill comes at a random moment once the load is under way (at least 50 ACKs this round, at most 15 s).
    const acked = () => gen.sync().filter((e) => e.t === 'ack').length;
    for (let waited = 0; acked() < 50 && waited < 15_000; waited += 20) await sleep(20);
    const killAfterMs = Math.floor(Math.random() * 1_800);
    await sleep(killAfterMs);
    const code = await daemon!.proc.stop(signal, 8_000);
    const events = await gen.stop();
    ledger.add(events);
    return { killAfterMs, acks: events.filter((e) => e.t === 'ack').length, code };
  }

  /** Restarts the daemon on the same store and checks every ACKed lease and held offer from its client. */
  async function restartAndVerify(round: number, killAfterMs: number, acks: number): Promise<void> {
      daemon = await FaultDaemon.start(lab!, storeDir);
      const rehydrated = daemon.logs().find((l) => l.evt === 'leases.rehydrated')!;
      const acked = ledger.acked();
      const held = ledger.heldOffers();
      expect(rehydrated['leases'] as number).toBeGreaterThanOrEqual(acked.length);

      const verifier = new Loadgen(lab!, {
        ...base, mode: 'verify', acked, offered: held, concurrency: 32, timeoutMs: 1_000, tries: 3,
        durationMs: 0, maxOps: 0,
      });
      const results = await verifier.finished(30_000);
      const lost = results.filter((e) => e.t === 'lost');
      const verified = results.filter((e) => e.t === 'verified').length;
      const heldAnswers = results.filter((e) => (e.t === 'ack' || e.t === 'nak') && e.kind === 'held-offer');
      console.log(`[crash] round ${round}: killed ${killAfterMs} ms after the 50th ACK, ${acks} ACKs this round, ` +
        `${acked.length} bindings verified ${verified}, lost ${lost.length}; held offers ${held.length}: ` +
        `${heldAnswers.filter((e) => e.t === 'ack').length} ACKed (their commit had landed), the rest NAKed`);
      expect(lost, `round ${round}: ACKed leases lost after kill -9`).toEqual([]);
      expect(verified).toBe(acked.length);
      // Every held offer gets an answer: a NAK (offers are not stored), or its ACK when the commit had landed.
      expect(heldAnswers).toHaveLength(held.length);
      ledger.add(results);
      expect(ledger.doubleAllocated(), `round ${round}: addresses ACKed to two clients`).toEqual([]);
      expect(ledger.movedClients(), `round ${round}: clients that changed address`).toEqual([]);
  }

  it(`keeps every ACKed lease through ${ROUNDS} SIGKILLs at random moments`, async () => {
    daemon = await FaultDaemon.start(lab!, storeDir);
    for (let round = 0; round < ROUNDS; round++) {
      const { killAfterMs, acks } = await loadUntilKilled(round);
      expect(acks, `round ${round}: the load generator got ACKs before the kill`).toBeGreaterThan(50);
      await restartAndVerify(round, killAfterMs, acks);
    }
  }, 75_000);

  it('SIGTERM under load finishes in-flight commits and exits 0; every ACK is kept', async () => {
    const { killAfterMs, acks, code } = await loadUntilKilled(ROUNDS, 'SIGTERM');
    expect(code).toBe(0);
    expect(daemon!.logs().map((l) => l.evt)).toContain('server.stopped');
    await restartAndVerify(ROUNDS, killAfterMs, acks);
  }, 40_000);

  it('reports its health on SIGUSR2 (evt server.health): serving, store writable, no restarts', async () => {
    daemon!.proc.signal('SIGUSR2');
    const line = await daemon!.waitForEvt('server.health', 5_000);
    expect(line['health']).toMatchObject({
      status: 'ok', serving: true, store: { writable: true }, restarts: {},
      children: { store: { status: 'running', restarts: 0 }, ingress: { status: 'running', restarts: 0 } },
    });
    expect(line['statistics']).toMatchObject({ counters: { errors: { store: 0 } } });
    expect(await daemon!.proc.stop('SIGTERM', 8_000)).toBe(0);
  });

  it('kill -9 under load after a start from the snapshot: the restart replays the commit journal, no scan, every ACK kept', async () => {
    // That clean stop wrote the snapshot: this start loads it and journals every commit since.
    daemon = await FaultDaemon.start(lab!, storeDir);
    expect(daemon.logs().find((l) => l.evt === 'leases.rehydrated')).toMatchObject({ from: 'snapshot' });
    const { killAfterMs, acks } = await loadUntilKilled(ROUNDS + 1);
    await restartAndVerify(ROUNDS + 1, killAfterMs, acks);
    const rehydrated = daemon.logs().find((l) => l.evt === 'leases.rehydrated')!;
    expect(rehydrated).toMatchObject({ from: 'snapshot+journal' });
    expect(rehydrated['replayed'] as number).toBeGreaterThan(0);
    expect(await daemon.proc.stop('SIGTERM', 8_000)).toBe(0);
  }, 40_000);

  it('kill -9 under load after delta checkpoints: the restart applies the delta file and replays the last journal, every ACK kept', async () => {
    // From the snapshot the last clean stop wrote, with a checkpoint every 1,000 addresses, each a delta section.
    const store = { kind: 'level', path: storeDir, checkpoint: { addresses: 1_000, deltaShare: 1 } };
    daemon = await FaultDaemon.start(lab!, storeDir, { store });
    const round = ROUNDS + 2;
    const gen = new Loadgen(lab!, {
      ...base, mode: 'load', prefix: round + 1, first: 0, count: 1_500, renew: ledger.acked(), declineEvery: 97, durationMs: 15_000, maxOps: 20_000,
    });
    const section = await daemon.waitForEvt('store.checkpoint.written', 20_000, (l) => l['kind'] === 'delta');
    await sleep(200);
    await daemon.proc.stop('SIGKILL', 8_000);
    const events = await gen.stop();
    ledger.add(events);
    await restartAndVerify(round, 200, events.filter((e) => e.t === 'ack').length);
    const rehydrated = daemon.logs().find((l) => l.evt === 'leases.rehydrated')!;
    expect(rehydrated).toMatchObject({ from: 'snapshot+delta+journal' });
    expect(rehydrated['delta'] as number).toBeGreaterThanOrEqual(section['addresses'] as number);
    expect(await daemon.proc.stop('SIGTERM', 8_000)).toBe(0);
  }, 60_000);
});
