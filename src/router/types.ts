// A decoded request on its way to its client's transaction actor.
import type { DhcpRequest } from '../codec/types.js';
import type { Inbound } from '../net/types.js';

export interface RoutedRequest {
  readonly request: DhcpRequest;
  readonly inbound: Inbound;
  readonly clientKey: string;
}
