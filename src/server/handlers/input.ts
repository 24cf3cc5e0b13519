// What every handler of a client message is given: the request, where it came from, whose it is, and its subnet.
import type { DhcpRequest } from '../../codec/types.js';
import type { Subnet } from '../../config/types.js';
import type { Inbound } from '../../net/types.js';

export interface HandlerInput {
  readonly request: DhcpRequest;
  readonly inbound: Inbound;
  readonly clientKey: string;
  readonly subnet: Subnet;
}
