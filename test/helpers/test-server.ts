// Runs the real server in-process: real codec, router, machines, lease book and store (memory-level or LevelDB),
// an in-memory transport and a manual clock.
import { Subject, firstValueFrom, filter, take, timeout } from 'rxjs';
import { pino } from 'pino';
import { startApp, type App } from '../../src/app.js';
import { ManualClock } from '../../src/clock.js';
import { decode, encode } from '../../src/codec/index.js';
import { MessageType, type DhcpMessage } from '../../src/codec/types.js';
import { parseConfig } from '../../src/config/index.js';
import type { ServerConfig } from '../../src/config/types.js';
import type { Inbound, Outbound, Transport } from '../../src/net/types.js';
import type { LeaseStore } from '../../src/store/types.js';
import { clientMessage, type ClientSpec } from './test-client.js';

export interface Sent {
  readonly out: Outbound;
  readonly message: DhcpMessage;
}

export class MemoryLink implements Transport {
  readonly kind = 'memory' as const;
  readonly inbound$ = new Subject<Inbound>();
  readonly sent$ = new Subject<Sent>();
  readonly sent: Sent[] = [];
  closed = false;

  async send(out: Outbound): Promise<void> {
    const decoded = decode(out.data);
    if (!decoded.ok) throw decoded.error;
    const sent = { out, message: decoded.msg };
    this.sent.push(sent);
    this.sent$.next(sent);
  }

  interfaces() {
    return [];
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export const LAB_CONFIG = {
  serverId: '198.51.100.1',
  interfaces: ['lab0'],
  store: { kind: 'memory', path: 'unused' },
  logging: { level: 'silent' },
  offerHoldSeconds: 60,
  expiryGraceSeconds: 300,
  declineProbationSeconds: 3600,
  maxDeclinesPerClient: 2,
  // In process there is no network to probe (tests of the check enable it with a scripted prober).
  conflictCheck: { enabled: false },
  subnets: [
    {
      id: 1, subnet: '198.51.100.0/24', interface: 'lab0',
      pools: [{ start: '198.51.100.100', end: '198.51.100.109' }],
      router: ['198.51.100.1'], dnsServers: ['198.51.100.1'], domainName: 'lab.example', leaseTime: 3600,
      reservations: [{ hwAddress: '02:00:5e:10:00:10', address: '198.51.100.10' }],
    },
    {
      id: 2, subnet: '203.0.113.0/24', pools: [{ start: '203.0.113.100', end: '203.0.113.199' }],
      router: ['203.0.113.1'], leaseTime: 600,
    },
  ],
};

export function compile(wire: unknown): ServerConfig {
  const result = parseConfig(JSON.stringify(wire), { baseDir: '/tmp' });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
}

export interface TestServer {
  readonly app: App;
  readonly link: MemoryLink;
  readonly clock: ManualClock;
  /** Sends a client message and waits for the reply (or undefined after `waitMs` of real time). */
  exchange(message: DhcpMessage, opts?: { from?: string; waitMs?: number; broadcast?: boolean }): Promise<Sent | undefined>;
  stop(): Promise<number>;
}

export async function startTestServer(store: LeaseStore, wire: unknown = LAB_CONFIG, clock = new ManualClock()): Promise<TestServer> {
  const link = new MemoryLink();
  const app = startApp({
    config: compile(wire),
    log: pino({ level: 'silent' }),
    store,
    clock,
    openTransport: async () => link,
    localAddresses: () => ['198.51.100.1'],
  });
  await app.ready;
  return {
    app, link, clock,
    async exchange(message, opts = {}) {
      const reply = firstValueFrom(
        link.sent$.pipe(filter((s) => s.message.xid === message.xid), take(1), timeout(opts.waitMs ?? 300)),
      ).catch(() => undefined);
      const iface = { name: 'lab0', index: 2, mac: '02:00:5e:00:00:01', addresses: [{ address: '198.51.100.1', prefixLength: 24 }] };
      link.inbound$.next({
        data: encode(message),
        from: { address: opts.from ?? (message.giaddr !== '0.0.0.0' ? message.giaddr : '0.0.0.0'), port: message.giaddr !== '0.0.0.0' ? 67 : 68 },
        ...(message.giaddr === '0.0.0.0' ? { iface } : {}),
        broadcast: opts.broadcast ?? message.ciaddr === '0.0.0.0',
        receivedAt: clock.now(),
      });
      return reply;
    },
    stop: () => app.stop(),
  };
}

export const SERVER_ID = '198.51.100.1';

/** Option 53 of a reply. */
export const replyType = (m: DhcpMessage): number | undefined => m.options.find((o) => o.code === 53)?.data[0];

/** DISCOVER, then a SELECTING REQUEST for the offered address; fails the test unless it ends in an ACK. */
export async function bindClient(s: TestServer, client: ClientSpec): Promise<{ client: ClientSpec; ip: string; ack: DhcpMessage }> {
  const offer = await s.exchange(clientMessage(client, MessageType.DISCOVER));
  if (offer === undefined || replyType(offer.message) !== MessageType.OFFER) throw new Error(`no OFFER for ${client.mac}`);
  const ip = offer.message.yiaddr;
  const ack = await s.exchange(clientMessage(client, MessageType.REQUEST, { requested: ip, serverId: SERVER_ID }));
  if (ack === undefined || replyType(ack.message) !== MessageType.ACK || ack.message.yiaddr !== ip) {
    throw new Error(`no ACK of ${ip} for ${client.mac}`);
  }
  return { client, ip, ack: ack.message };
}
