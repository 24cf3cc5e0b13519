// Inbound datagrams → decoded requests: malformed ones are dropped with a typed error, counted and logged,
// never answered (RFC 2131 §4.1 leaves them silent; so do we).
import { Observable } from '../rx.js';
import { decodeRequest } from '../codec/index.js';
import type { DhcpRequest } from '../codec/types.js';
import type { CodecError } from '../errors.js';
import type { Inbound } from './types.js';

export interface DecodedInbound {
  readonly request: DhcpRequest;
  readonly inbound: Inbound;
}

/** keepView: a view of a receive batch's buffer is kept as a view (see net/flat-receive.ts), not copied. */
const HAND_OVER = { handOver: true, keepView: true } as const;

/** One subscriber per datagram instead of a map and a filter operator (the per-packet path). */
export function decodeInbound(inbound$: Observable<Inbound>, onReject: (error: CodecError, inbound: Inbound) => void): Observable<DecodedInbound> {
  return new Observable<DecodedInbound>((subscriber) =>
    inbound$.subscribe({
      next: (inbound) => {
        // Transports give every datagram bytes of its own (a buffer, or a view of a receive batch's) and never touch
        // them again: decoded without a copy.
        const result = decodeRequest(inbound.data, HAND_OVER);
        if (result.ok) {
          subscriber.next({ request: result.msg, inbound });
          return;
        }
        // A throwing reject handler fails the stream, as a throw inside an operator would (the supervisor decides).
        try {
          onReject(result.error, inbound);
        } catch (error) {
          subscriber.error(error);
        }
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    }),
  );
}
