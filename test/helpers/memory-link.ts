// The in-memory transport tests run the daemon over: what clients send goes in through `inbound$`, and every
// datagram the daemon sends is decoded and kept (`sent`, and live on `sent$`).
import { Subject } from 'rxjs';
import { decode } from '../../src/codec/index.js';
import type { DhcpMessage } from '../../src/codec/types.js';
import type { Inbound, Outbound, Transport } from '../../src/net/types.js';

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
