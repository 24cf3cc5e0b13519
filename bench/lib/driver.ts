// Drives the real server in one process over a memory transport: requests in, replies matched by xid. Shared by
// the in-process benchmarks; bounded by what the caller sends.
import { pino } from 'pino';
import { Subject } from 'rxjs';
import { startApp, type App } from '../../src/app.js';
import { encode } from '../../src/codec/index.js';
import type { DhcpMessage } from '../../src/codec/types.js';
import { parseConfig } from '../../src/config/index.js';
import type { Inbound, Outbound, Transport } from '../../src/net/types.js';
import type { LeaseStore } from '../../src/store/types.js';

export interface Driver {
  readonly app: App;
  /** Sends a request and resolves with its reply (never resolves if the server drops it). */
  send(msg: DhcpMessage): Promise<Outbound>;
  /** Sends a request without waiting for anything. */
  fire(msg: DhcpMessage): void;
  /** Requests dropped so far, per drop reason (counted from the daemon's decisions). */
  readonly drops: ReadonlyMap<string, number>;
}

export async function startDriver(wire: object, store: LeaseStore): Promise<Driver> {
  const compiled = parseConfig(JSON.stringify({ interfaces: [], logging: { level: 'silent' }, ...wire }), { baseDir: '/tmp' });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  const inbound$ = new Subject<Inbound>();
  const pending = new Map<number, (o: Outbound) => void>();
  const transport: Transport = {
    kind: 'memory', inbound$, interfaces: () => [], close: async () => {},
    send: async (out) => {
      const xid = out.data.readUInt32BE(4);
      const resolve = pending.get(xid);
      pending.delete(xid);
      resolve?.(out);
    },
  };
  const drops = new Map<string, number>();
  const app = startApp({
    config: compiled.config, log: pino({ level: 'silent' }), store, openTransport: async () => transport,
    onDecision: (decision) => {
      if (decision.kind === 'drop') drops.set(decision.reason, (drops.get(decision.reason) ?? 0) + 1);
    },
  });
  await app.ready;
  const fire = (msg: DhcpMessage) => inbound$.next({ data: encode(msg), from: { address: msg.giaddr, port: 67 }, receivedAt: Date.now() });
  return {
    app, fire, drops,
    send: (msg) => new Promise((resolve) => {
      pending.set(msg.xid, resolve);
      fire(msg);
    }),
  };
}

/** A distinct MAC for client i. */
export function macOf(i: number): string {
  return [2, 0, (i >>> 24) & 255, (i >>> 16) & 255, (i >>> 8) & 255, i & 255].map((b) => b.toString(16).padStart(2, '0')).join(':');
}
