// The types a client transaction carries (machines/transaction.machine.ts): the request it handles and what the
// server decided about it — a reply to send, a message accepted that gets no reply, or a reason to drop it.
// Plain data, owned here so the machine needs nothing from the router or the server; src/ imports them from here.
import type { DhcpMessage, DhcpRequest, MessageType } from '../src/codec/types.js';
import type { Subnet } from '../src/config/types.js';
import type { Inbound } from '../src/net/types.js';

/** A decoded request on its way to its client's transaction. */
export interface RoutedRequest {
  readonly request: DhcpRequest;
  readonly inbound: Inbound;
  readonly clientKey: string;
}

export type DropReason =
  | 'no-subnet'
  | 'pool-exhausted'
  | 'not-for-us'
  | 'unknown-client'
  | 'malformed-request'
  | 'decline-limit'
  | 'store-unavailable'
  | 'no-server-id'
  /** RFC 3074: the client hashes into a live peer's bucket (scaleOut). */
  | 'peer-bucket'
  | 'address-in-use'
  /** The pool is full and every offer that could yield is shielded (in its probe, or just sent): the client retransmits. */
  | 'offers-shielded';

export type NakReason =
  | 'no-lease'
  | 'not-your-lease'
  | 'offer-gone'
  | 'wrong-network'
  | 'address-invalid'
  | 'subnet-invalid'
  | 'expired';

export interface Reply {
  readonly kind: 'reply';
  readonly type: MessageType;
  readonly message: DhcpMessage;
  /** Option 57 of the request (RFC 2132 §9.10): the reply must fit. */
  readonly maxSize: number;
  /** The address the reply is about (yiaddr, or ciaddr for INFORM). */
  readonly ip?: string;
  readonly nakReason?: NakReason;
  readonly subnet?: Subnet;
  /** An OFFER of an address new to the client: probed for a conflict before it is sent (RFC 2131 §4.4.1). */
  readonly probe?: boolean;
  /**
   * An OFFER, unreserved, of an address another client's offer holds while in its probe (a full pool): sent once
   * that probe ends clean, else the address is chosen again (src/server/offer-joined.ts).
   */
  readonly joinsProbe?: boolean;
}

export interface Drop {
  readonly kind: 'drop';
  readonly reason: DropReason;
}

/** A RELEASE or DECLINE acted on: RFC 2131 sends nothing back, and nothing was dropped. */
export interface Accepted {
  readonly kind: 'accepted';
}

export type Decision = Reply | Accepted | Drop;
