// What the transports carry: inbound datagrams with where they came from, outbound replies with where they go.
import type { Observable } from 'rxjs';

export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

export interface InterfaceAddress {
  readonly address: string;
  readonly prefixLength: number;
}

export interface InterfaceInfo {
  readonly name: string;
  readonly index: number;
  /** "aa:bb:cc:dd:ee:ff" */
  readonly mac: string;
  readonly addresses: readonly InterfaceAddress[];
}

export interface Inbound {
  readonly data: Buffer;
  readonly from: Endpoint;
  /** The receiving interface, when the transport can tell (the native one can; dgram cannot). */
  readonly iface?: InterfaceInfo;
  /** Whether the datagram was sent to a broadcast address, when the transport can tell. */
  readonly broadcast?: boolean;
  /** Local destination address of the datagram, when known. */
  readonly localAddress?: string;
  readonly receivedAt: number;
}

export interface Outbound {
  readonly data: Buffer;
  readonly to: Endpoint;
  /** Leave through this interface (native transport); ignored by dgram. */
  readonly ifaceName?: string;
  /** Source address to use (native transport); dgram uses its bound address. */
  readonly source?: string;
  /** Deliver to this MAC without ARP (RFC 2131 §4.1 unicast before the client has an address). */
  readonly hwAddress?: string;
}

/**
 * What a transport calls once for a datagram handed to it by `post`: `sent` true when the kernel took it, else false
 * with the error (a NetError) that send()'s promise would have rejected with.
 */
export type SendDone<T> = (token: T, sent: boolean, error: unknown) => void;

/** Cumulative counts of a transport's requests: read, and lost to overload (queue full, or shed unread). */
export interface ReceiveLoad {
  readonly received: number;
  readonly lost: number;
}

export interface Transport {
  readonly kind: 'dgram' | 'native' | 'memory';
  readonly inbound$: Observable<Inbound>;
  /** Resolves when the datagram is handed to the kernel; rejects with a NetError. */
  send(out: Outbound): Promise<void>;
  /**
   * send() without a promise, for the reply path (two per DORA): `done(token, …)` is called once, never before post
   * returns. A long-lived `done` and one token per reply cost less than a promise, its reaction and the closures
   * per reply. Optional: a transport without it is driven through send().
   */
  post?<T>(out: Outbound, done: SendDone<T>, token: T): void;
  /** Interfaces served, as last learnt (empty for dgram). */
  interfaces(): readonly InterfaceInfo[];
  /** The transport's own counters (ignored interfaces, MAC/source fallbacks, …), when it keeps any. */
  stats?(): object;
  /**
   * Datagrams read so far, and lost to overload: dropped by the kernel because the receive queue was full, or shed
   * unread. Absent when the transport cannot tell.
   */
  receiveLoad?(): ReceiveLoad;
  close(): Promise<void>;
}
