// Inbound datagrams → decoded requests: malformed ones are dropped with a typed error, counted and logged,
// never answered (RFC 2131 §4.1 leaves them silent; so do we).
import { filter, map, type Observable } from 'rxjs';
import { decodeRequest } from '../codec/index.js';
import type { DhcpRequest } from '../codec/types.js';
import type { CodecError } from '../errors.js';
import type { Inbound } from './types.js';

export interface DecodedInbound {
  readonly request: DhcpRequest;
  readonly inbound: Inbound;
}

export function decodeInbound(inbound$: Observable<Inbound>, onReject: (error: CodecError, inbound: Inbound) => void): Observable<DecodedInbound> {
  return inbound$.pipe(
    map((inbound) => {
      // Transports give every datagram a buffer of its own and never touch it again: decoded without a copy.
      const result = decodeRequest(inbound.data, { handOver: true });
      if (result.ok) return { request: result.msg, inbound };
      onReject(result.error, inbound);
      return undefined;
    }),
    filter((decoded): decoded is DecodedInbound => decoded !== undefined),
  );
}
