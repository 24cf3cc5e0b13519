// ICMP echo request and reply (RFC 792) for the conflict check before an offer: building the request, and
// reading a reply as either socket kind delivers it (raw: with its IPv4 header; ping socket: the ICMP message only).
import { internetChecksum } from './packet.js';

const ECHO_REQUEST = 8;
const ECHO_REPLY = 0;
const HEADER = 8;
/** Marks our probes, so a reply to someone else's ping with the same id and sequence is not taken for ours. */
const MARK = Buffer.from('actor-dhcpd', 'ascii');

export interface EchoId {
  readonly id: number;
  readonly seq: number;
}

export function echoRequest({ id, seq }: EchoId): Buffer {
  const packet = Buffer.alloc(HEADER + MARK.length);
  packet[0] = ECHO_REQUEST;
  packet.writeUInt16BE(id & 0xffff, 4);
  packet.writeUInt16BE(seq & 0xffff, 6);
  MARK.copy(packet, HEADER);
  packet.writeUInt16BE(internetChecksum(packet), 2);
  return packet;
}

/**
 * The id and sequence of an echo reply carrying our mark, or undefined for anything else. `kernelId`: it came
 * from a ping socket, whose kernel replaced our id with its own (only the sequence number is ours).
 */
export function parseEchoReply(data: Uint8Array): (EchoId & { readonly kernelId: boolean }) | undefined {
  let offset = 0;
  let kernelId = true;
  // An IPv4 header starts with version 4; an ICMP message a ping socket delivers starts with its type (0).
  if (data.length > 0 && data[0]! >> 4 === 4) {
    offset = (data[0]! & 0x0f) * 4;
    kernelId = false;
  }
  const icmp = Buffer.from(data.buffer, data.byteOffset + offset, Math.max(0, data.length - offset));
  if (icmp.length < HEADER + MARK.length || icmp[0] !== ECHO_REPLY || icmp[1] !== 0) return undefined;
  if (!icmp.subarray(HEADER, HEADER + MARK.length).equals(MARK)) return undefined;
  return { id: icmp.readUInt16BE(4), seq: icmp.readUInt16BE(6), kernelId };
}
