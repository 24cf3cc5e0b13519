// Fault injection for in-process server tests: a lease store and a link that fail on demand, a server whose log
// lines are captured, and a driver that moves the manual clock while a reply is awaited (retries wait on it).
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { filter, firstValueFrom, take, timeout } from 'rxjs';
import { startApp, type App } from '../../../src/app.js';
import { ManualClock } from '../../../src/clock.js';
import { encode } from '../../../src/codec/index.js';
import type { DhcpMessage } from '../../../src/codec/types.js';
import { StoreError } from '../../../src/errors.js';
import type { Outbound } from '../../../src/net/types.js';
import { DelegatingLeaseStore } from '../../../src/store/delegating-store.js';
import type { LeaseStore, LeaseWrite, StoreHealth } from '../../../src/store/types.js';
import { compile, LAB_CONFIG, MemoryLink, type Sent } from '../../helpers/test-server.js';

/** Wraps a real store; `failing` makes every write reject as a full disk would, `gate` holds writes back. */
export class FaultyStore extends DelegatingLeaseStore {
  failing = false;
  writes = 0;
  failedWrites = 0;
  closedAfterWrites: number | undefined;
  private held: (() => void)[] = [];
  hold = false;



  override async write(writes: readonly LeaseWrite[]): Promise<void> {
    this.writes += 1;
    if (this.hold) await new Promise<void>((resolve) => this.held.push(resolve));
    if (this.failing) {
      this.failedWrites += 1;
      throw new StoreError('DHCPD_ERR_STORE_WRITE', 'lease store write failed: IO error: No space left on device');
    }
    return this.inner.write(writes);
  }

  /** Lets the held writes go on. */
  release(): void {
    this.hold = false;
    for (const go of this.held.splice(0)) go();
  }

  get heldWrites(): number {
    return this.held.length;
  }




  override health(): StoreHealth {
    const inner = this.inner.health();
    return { ...inner, pendingWrites: inner.pendingWrites + this.held.length };
  }

  override async close(): Promise<void> {
    this.closedAfterWrites = this.writes - this.held.length;
    return this.inner.close();
  }
}

/** A link whose sends reject with an errno error (ENOBUFS by default) the first `failures` times. */
export class FlakyLink extends MemoryLink {
  attempts = 0;
  constructor(public failures: number, private readonly errno = 'ENOBUFS') {
    super();
  }

  override async send(out: Outbound): Promise<void> {
    this.attempts += 1;
    if (this.failures > 0) {
      this.failures -= 1;
      throw Object.assign(new Error(`send ${this.errno}`), { code: this.errno, errno: -105, syscall: 'send' });
    }
    return super.send(out);
  }
}

export interface LogLine {
  readonly evt?: string;
  readonly level: number;
  readonly [key: string]: unknown;
}

export interface FaultServer {
  readonly app: App;
  readonly link: MemoryLink;
  readonly clock: ManualClock;
  readonly logs: LogLine[];
  evts(): string[];
  /** Sends a client message; moves the clock `stepMs` per real millisecond until the reply or `waitMs`. */
  exchange(message: DhcpMessage, opts?: { waitMs?: number; stepMs?: number; from?: string }): Promise<Sent | undefined>;
}

export function startFaultServer(opts: { store: LeaseStore; link?: MemoryLink; wire?: unknown; clock?: ManualClock }): FaultServer {
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const clock = opts.clock ?? new ManualClock();
  const link = opts.link ?? new MemoryLink();
  const app = startApp({
    config: compile(opts.wire ?? LAB_CONFIG), log: pino({ level: 'debug' }, sink), store: opts.store, clock,
    openTransport: async () => link, localAddresses: () => ['198.51.100.1'],
  });
  return {
    app, link, clock, logs,
    evts: () => logs.map((l) => l.evt ?? ''),
    async exchange(message, { waitMs = 300, stepMs = 0, from } = {}) {
      const reply = firstValueFrom(
        link.sent$.pipe(filter((s) => s.message.xid === message.xid), take(1), timeout(waitMs)),
      ).catch(() => undefined);
      let settled = false;
      void reply.then(() => (settled = true));
      const iface = { name: 'lab0', index: 2, mac: '02:00:5e:00:00:01', addresses: [{ address: '198.51.100.1', prefixLength: 24 }] };
      link.inbound$.next({
        data: encode(message), from: { address: from ?? '0.0.0.0', port: 68 }, iface,
        broadcast: message.ciaddr === '0.0.0.0', receivedAt: clock.now(),
      });
      // Retries wait on the manual clock: move it while the reply is awaited.
      while (stepMs > 0 && !settled) {
        await new Promise((r) => setTimeout(r, 1));
        clock.advance(stepMs);
      }
      return reply;
    },
  };
}

export { replyType as typeOf } from '../../helpers/test-server.js';
export const settle = (ms = 5) => new Promise((r) => setTimeout(r, ms));
