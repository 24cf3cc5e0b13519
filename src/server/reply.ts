// Builds OFFER / ACK / NAK messages (RFC 2131 §4.3.1, table 3); reply-fit.ts fits them to the client's option 57.
import { BOOTREPLY, BROADCAST_FLAG, MessageType, type DhcpMessage, type DhcpOption, type DhcpRequest } from '../codec/types.js';
import { getOption, getParameterRequestList, getU16Option } from '../codec/index.js';
import type { Subnet } from '../config/types.js';

export interface LeaseTimesSec {
  readonly lease: number;
  readonly renewal: number;
  readonly rebinding: number;
}

export interface ReplySpec {
  readonly type: MessageType;
  readonly serverId: string;
  readonly yiaddr?: string;
  readonly subnet?: Subnet;
  /** OFFER and ACK to a lease request; absent for INFORM and NAK. */
  readonly times?: LeaseTimesSec;
  /** Option 56 text, for a NAK. */
  readonly message?: string;
}

// Option values shared between replies: a reply message is only read (encoded, then dropped), and the same few
// values (message types, server ids, lease times) come back in every reply, so each is made once instead of
// allocating small Buffers per reply (one of the largest allocation sites per DORA). Bounded: cleared when full.
const SHARED_LIMIT = 1024;
const U8 = Array.from({ length: 256 }, (_, v) => Buffer.from([v]));
const u32Shared = new Map<number, Buffer>();
const ipShared = new Map<string, Buffer>();
const ZERO_SNAME = Buffer.alloc(64);
const ZERO_FILE = Buffer.alloc(128);

function shared<K>(cache: Map<K, Buffer>, key: K, make: () => Buffer): Buffer {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= SHARED_LIMIT) cache.clear();
    value = make();
    cache.set(key, value);
  }
  return value;
}

const u8 = (v: number): Buffer => U8[v & 255] as Buffer;
const u32 = (v: number): Buffer => shared(u32Shared, v >>> 0, () => {
  const b = Buffer.allocUnsafeSlow(4);
  b.writeUInt32BE(v >>> 0);
  return b;
});
const ipBytes = (ip: string): Buffer => shared(ipShared, ip, () => Buffer.from(ip.split('.').map(Number)));
/** A subnet's options by code, made once per compiled subnet (a reload compiles new ones). */
const optionsByCode = new WeakMap<Subnet, ReadonlyMap<number, DhcpOption>>();

/** Options always sent when configured, whether requested or not (the "1 and 3 when configured"). */
const ALWAYS_SENT = new Set([1, 3]);

export function buildReply(request: DhcpRequest, spec: ReplySpec): DhcpMessage {
  const nak = spec.type === MessageType.NAK;
  const relayed = request.giaddr !== '0.0.0.0';
  return {
    op: BOOTREPLY,
    htype: request.htype,
    hlen: request.hlen,
    hops: 0,
    xid: request.xid,
    secs: 0,
    // RFC 2131 §4.3.2: a NAK through a relay sets the broadcast bit so the relay broadcasts it.
    flags: nak && relayed ? request.flags | BROADCAST_FLAG : request.flags,
    ciaddr: spec.type === MessageType.INFORM || spec.type === MessageType.ACK ? request.ciaddr : '0.0.0.0',
    yiaddr: nak ? '0.0.0.0' : (spec.yiaddr ?? '0.0.0.0'),
    siaddr: '0.0.0.0',
    giaddr: request.giaddr,
    chaddr: request.chaddr,
    sname: ZERO_SNAME,
    file: ZERO_FILE,
    options: replyOptions(request, spec, nak),
  };
}

function replyOptions(request: DhcpRequest, spec: ReplySpec, nak: boolean): DhcpOption[] {
  const type = spec.type === MessageType.INFORM ? MessageType.ACK : spec.type;
  const options: DhcpOption[] = [
    { code: 53, data: u8(type) },
    { code: 54, data: ipBytes(spec.serverId) },
  ];
  if (spec.times !== undefined && !nak) {
    options.push({ code: 51, data: u32(spec.times.lease) });
    options.push({ code: 58, data: u32(spec.times.renewal) });
    options.push({ code: 59, data: u32(spec.times.rebinding) });
  }
  if (nak) {
    if (spec.message !== undefined) options.push({ code: 56, data: Buffer.from(spec.message) });
  } else if (spec.subnet !== undefined) {
    options.push(...configuredOptions(spec.subnet, getParameterRequestList(request)));
  }
  // RFC 6842: echo the client identifier; RFC 3046 §2.2: option 82 is echoed, and last.
  for (const code of [61, 82]) {
    const data = getOption(request, code);
    if (data !== undefined) options.push({ code, data });
  }
  return options;
}

/** Requested options in the client's order (RFC 2132 §9.8), then the always-sent ones it did not ask for. */
function configuredOptions(subnet: Subnet, requested: readonly number[]): DhcpOption[] {
  let byCode = optionsByCode.get(subnet);
  if (byCode === undefined) {
    byCode = new Map(subnet.options.map((o) => [o.code, o]));
    optionsByCode.set(subnet, byCode);
  }
  const chosen: DhcpOption[] = [];
  for (const code of ALWAYS_SENT) if (!requested.includes(code)) pick(byCode, code, chosen);
  for (const code of requested) pick(byCode, code, chosen);
  return chosen;
}

/** Adds the subnet's option `code` once (a client may list a code twice); 53 and 54 are the server's own. */
function pick(byCode: ReadonlyMap<number, DhcpOption>, code: number, chosen: DhcpOption[]): void {
  const option = byCode.get(code);
  if (option === undefined || code === 53 || code === 54) return;
  for (let i = 0; i < chosen.length; i++) if ((chosen[i] as DhcpOption).code === code) return;
  chosen.push(option);
}

/** RFC 2132 §9.10: option 57 counts the whole IP datagram; 576 is the floor every client accepts. */
export function maxReplySize(request: DhcpRequest): number {
  const asked = getU16Option(request, 57);
  return Math.max(asked ?? 576, 576) - 28;
}
