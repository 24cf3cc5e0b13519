// Builds client messages the way RFC 2131 §4.4 clients do, for in-process server tests.
import { BOOTREQUEST, MessageType, type DhcpMessage, type DhcpOption } from '../../src/codec/types.js';

export interface ClientSpec {
  readonly mac: string;
  readonly clientId?: Buffer;
  readonly giaddr?: string;
}

const ip = (s: string): Buffer => Buffer.from(s.split('.').map(Number));
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

export interface MessageSpec {
  readonly xid?: number;
  readonly ciaddr?: string;
  readonly requested?: string;
  readonly serverId?: string;
  readonly flags?: number;
  readonly prl?: readonly number[];
  readonly maxSize?: number;
  readonly extra?: readonly DhcpOption[];
}

let nextXid = 0x1000;

export function clientMessage(client: ClientSpec, type: MessageType, spec: MessageSpec = {}): DhcpMessage {
  const chaddr = Buffer.alloc(16);
  Buffer.from(client.mac.split(':').map((h) => parseInt(h, 16))).copy(chaddr);
  const options: DhcpOption[] = [{ code: 53, data: Buffer.from([type]) }];
  if (client.clientId !== undefined) options.push({ code: 61, data: client.clientId });
  if (spec.requested !== undefined) options.push({ code: 50, data: ip(spec.requested) });
  if (spec.serverId !== undefined) options.push({ code: 54, data: ip(spec.serverId) });
  if (spec.maxSize !== undefined) options.push({ code: 57, data: Buffer.from([spec.maxSize >> 8, spec.maxSize & 0xff]) });
  options.push({ code: 55, data: Buffer.from(spec.prl ?? [1, 3, 6, 15, 51, 54]) });
  options.push(...(spec.extra ?? []));
  return {
    op: BOOTREQUEST, htype: 1, hlen: 6, hops: client.giaddr ? 1 : 0, xid: spec.xid ?? nextXid++, secs: 0,
    flags: spec.flags ?? 0, ciaddr: spec.ciaddr ?? '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0',
    giaddr: client.giaddr ?? '0.0.0.0', chaddr, sname: Buffer.alloc(64), file: Buffer.alloc(128), options,
  };
}

export { u32 };
