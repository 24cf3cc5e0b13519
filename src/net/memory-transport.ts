// An in-memory Transport for tests: inject inbound datagrams, collect what was sent, make sends fail on demand.
import { Subject } from 'rxjs';
import { NetError, type DhcpdError } from '../errors.js';
import type { Inbound, InterfaceInfo, Outbound, Transport } from './types.js';

export type InboundInput = Omit<Inbound, 'receivedAt' | 'from'> & Partial<Pick<Inbound, 'receivedAt' | 'from'>>;

export interface MemoryTransport extends Transport {
  readonly kind: 'memory';
  /** Every datagram handed to send(), in order (failed sends excluded). */
  readonly sent: readonly Outbound[];
  /** Delivers a datagram to inbound$ subscribers, as if received. */
  inject(input: InboundInput): void;
  /** Resolves with the next datagram sent (or one already sent and not yet taken). */
  nextSent(): Promise<Outbound>;
  /** Makes every following send reject with `error` (undefined: succeed again). */
  failSends(error: DhcpdError | undefined): void;
  setInterfaces(list: readonly InterfaceInfo[]): void;
  readonly closed: boolean;
}

export function createMemoryTransport(opts: { interfaces?: readonly InterfaceInfo[]; now?: () => number } = {}): MemoryTransport {
  const inbound = new Subject<Inbound>();
  const sent: Outbound[] = [];
  const waiting: ((out: Outbound) => void)[] = [];
  let taken = 0;
  let failure: DhcpdError | undefined;
  let ifaces = opts.interfaces ?? [];
  let closed = false;
  const now = opts.now ?? Date.now;

  return {
    kind: 'memory',
    inbound$: inbound.asObservable(),
    sent,
    get closed() {
      return closed;
    },
    inject: (input) => {
      if (closed) throw new TypeError('inject() after close()');
      inbound.next({ from: { address: '0.0.0.0', port: 68 }, receivedAt: now(), ...input });
    },
    send: async (out) => {
      if (closed) throw new NetError('DHCPD_ERR_NET_SEND', 'transport closed', { details: { to: out.to } });
      if (failure !== undefined) throw failure;
      sent.push(out);
      const waiter = waiting.shift();
      if (waiter !== undefined) {
        taken++;
        waiter(out);
      }
    },
    nextSent: () =>
      new Promise<Outbound>((resolve) => {
        const ready = sent[taken];
        if (ready !== undefined) {
          taken++;
          resolve(ready);
        } else {
          waiting.push(resolve);
        }
      }),
    failSends: (error) => {
      failure = error;
    },
    setInterfaces: (list) => {
      ifaces = list;
    },
    interfaces: () => ifaces,
    close: async () => {
      if (closed) return;
      closed = true;
      inbound.complete();
    },
  };
}
