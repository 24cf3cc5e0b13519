// The decoded BOOTP/DHCP message (RFC 2131 §2, figure 1) and option value types (RFC 2132).

export const BOOTREQUEST = 1;
export const BOOTREPLY = 2;

/** RFC 2132 §9.6 option 53 values (plus RFC 4388 lease query ones are not served). */
export enum MessageType {
  DISCOVER = 1,
  OFFER = 2,
  REQUEST = 3,
  DECLINE = 4,
  ACK = 5,
  NAK = 6,
  RELEASE = 7,
  INFORM = 8,
}

/** One option as it stands after RFC 3396 concatenation: the code and its whole value. */
export interface DhcpOption {
  readonly code: number;
  readonly data: Buffer;
}

/**
 * A message as on the wire. Addresses are dotted quads; chaddr is the 16-byte field;
 * sname/file are the raw fields (zeroed when option overload used them for options).
 */
export interface DhcpMessage {
  op: number;
  htype: number;
  hlen: number;
  hops: number;
  xid: number;
  secs: number;
  flags: number;
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  giaddr: string;
  chaddr: Buffer;
  sname: Buffer;
  file: Buffer;
  /** In wire order; each code at most once (split/long options already concatenated). */
  options: DhcpOption[];
}

/** A message that passed the request checks: op BOOTREQUEST, hlen <= 16, a known option 53. */
export interface DhcpRequest extends DhcpMessage {
  readonly type: MessageType;
}

export const BROADCAST_FLAG = 0x8000;
