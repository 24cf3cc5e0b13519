// Builds OFFER / ACK / NAK messages (RFC 2131 §4.3.1, table 3); reply-fit.ts fits them to the client's option 57.
import { BOOTREPLY, BROADCAST_FLAG, MessageType, type DhcpMessage, type DhcpOption, type DhcpRequest } from '../codec/types.js';
import { getOption, getU16Option, ZERO_FILE, ZERO_SNAME } from '../codec/index.js';
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

// Options shared between replies: a reply message is only read (encoded, then dropped), and the same few options
// (message types, server ids, lease times) come back in every reply, so each option object and its bytes are made
// once instead of per reply (these were among the largest allocation sites per DORA). Bounded: cleared when full.
const SHARED_LIMIT = 1024;
const MESSAGE_TYPES: readonly DhcpOption[] = Array.from({ length: 256 }, (_, v) => ({ code: 53, data: Buffer.from([v]) }));
/** By code, then value. */
const optionShared = new Map<number, Map<string | number, DhcpOption>>();

/**
 * The option each code gave last, with its key: nearly every reply has the same server id and lease times as the one
 * before, so a reply's four shared options (54, 51, 58, 59) are found without the two Map probes each
 * (Builtins_FindOrderedHashMapEntry was ~4 % of the daemon's CPU; these were 16 probes per DORA).
 */
const lastKey: (string | number | undefined)[] = new Array<string | number | undefined>(256).fill(undefined);
const lastOption: (DhcpOption | undefined)[] = new Array<DhcpOption | undefined>(256).fill(undefined);

function sharedOption<K extends string | number>(code: number, key: K, data: (key: K) => Buffer): DhcpOption {
  if (lastKey[code] === key) return lastOption[code]!;
  const option = sharedOptionOf(code, key, data);
  lastKey[code] = key;
  lastOption[code] = option;
  return option;
}

function sharedOptionOf<K extends string | number>(code: number, key: K, data: (key: K) => Buffer): DhcpOption {
  let byValue = optionShared.get(code);
  if (byValue === undefined) {
    byValue = new Map();
    optionShared.set(code, byValue);
  }
  let option = byValue.get(key);
  if (option === undefined) {
    if (byValue.size >= SHARED_LIMIT) byValue.clear();
    option = { code, data: data(key) };
    byValue.set(key, option);
  }
  return option;
}

function u32Bytes(v: number): Buffer {
  const b = Buffer.allocUnsafeSlow(4);
  b.writeUInt32BE(v);
  return b;
}
const ipBytes = (ip: string): Buffer => Buffer.from(ip.split('.').map(Number));
const u32Option = (code: number, v: number): DhcpOption => sharedOption(code, v >>> 0, u32Bytes);
/** Options echoed from the request: RFC 6842 client identifier, RFC 3046 §2.2 relay agent information (last). */
const ECHOED = [61, 82] as const;
/** A subnet's options by code (an array of 256: no hashing per option), made once per compiled subnet (a reload
 * compiles new ones). */
type ByCode = readonly (DhcpOption | undefined)[];
const optionsByCode = new WeakMap<Subnet, ByCode>();
/** The last subnet looked up and its table: most replies in a row are for the same subnet (no WeakMap probe). */
let lastSubnet: Subnet | undefined;
let lastByCode: ByCode = [];

function byCodeOf(subnet: Subnet): ByCode {
  if (subnet === lastSubnet) return lastByCode;
  let byCode = optionsByCode.get(subnet);
  if (byCode === undefined) {
    const table: (DhcpOption | undefined)[] = new Array<DhcpOption | undefined>(256).fill(undefined);
    // The last of a code wins, as it did in the Map built from the list (compiled subnets hold one per code).
    for (const o of subnet.options) table[o.code & 255] = o;
    byCode = table;
    optionsByCode.set(subnet, byCode);
  }
  lastSubnet = subnet;
  lastByCode = byCode;
  return byCode;
}

/** Options always sent when configured, whether requested or not (the "1 and 3 when configured"). */
const ALWAYS_SENT: readonly number[] = [1, 3];
/**
 * Where a reply's options are gathered (replies are built synchronously, one at a time), [0, gatheredCount), before
 * they are copied out at their exact count: a two-element array grown by push took ~150 B per reply. Counted rather
 * than emptied by `length = 0`, which drops the backing store in V8 (then the next reply's pushes allocated it again).
 */
const gathered: DhcpOption[] = [];
let gatheredCount = 0;
/** Left where a reply's option was: the scratch holds on to none of them. */
const CLEARED: DhcpOption = Object.freeze({ code: 0, data: Buffer.alloc(0) });

function gather(option: DhcpOption): void {
  gathered[gatheredCount++] = option;
}

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
  gatheredCount = 0;
  gather(MESSAGE_TYPES[type & 255]!);
  gather(sharedOption(54, spec.serverId, ipBytes));
  if (spec.times !== undefined && !nak) {
    gather(u32Option(51, spec.times.lease));
    gather(u32Option(58, spec.times.renewal));
    gather(u32Option(59, spec.times.rebinding));
  }
  if (nak) {
    if (spec.message !== undefined) gather({ code: 56, data: Buffer.from(spec.message) });
  } else if (spec.subnet !== undefined) {
    configuredOptions(spec.subnet, getOption(request, 55));
  }
  for (let i = 0; i < ECHOED.length; i++) {
    // The request's own option object: a reply is only read, as the request is.
    const echoed = optionOf(request, ECHOED[i]!);
    if (echoed !== undefined) gather(echoed);
  }
  const exact = gathered.slice(0, gatheredCount);
  // A loop, not fill(): Array.prototype.fill is a call into the runtime.
  for (let i = 0; i < gatheredCount; i++) gathered[i] = CLEARED;
  gatheredCount = 0;
  return exact;
}

function optionOf(msg: DhcpMessage, code: number): DhcpOption | undefined {
  for (let i = 0; i < msg.options.length; i++) if (msg.options[i]!.code === code) return msg.options[i];
  return undefined;
}

/**
 * Adds the always-sent options the client did not ask for, then the requested ones in its order (RFC 2132 §9.8).
 * `requested`: the client's option 55 as it came (codes, one a byte), read in place.
 */
function configuredOptions(subnet: Subnet, requested: Uint8Array | undefined): void {
  const byCode = byCodeOf(subnet);
  const from = gatheredCount;
  for (let i = 0; i < ALWAYS_SENT.length; i++) {
    const code = ALWAYS_SENT[i]!;
    if (requested === undefined || requested.indexOf(code) < 0) pick(byCode, code, from);
  }
  if (requested === undefined) return;
  for (let i = 0; i < requested.length; i++) pick(byCode, requested[i]!, from);
}

/** Adds the subnet's option `code` once (a client may list a code twice); 53 and 54 are the server's own. */
function pick(byCode: ByCode, code: number, from: number): void {
  const option = byCode[code];
  if (option === undefined || code === 53 || code === 54) return;
  for (let i = from; i < gatheredCount; i++) if ((gathered[i] as DhcpOption).code === code) return;
  gather(option);
}

/** RFC 2132 §9.10: option 57 counts the whole IP datagram; 576 is the floor every client accepts. */
export function maxReplySize(request: DhcpRequest): number {
  const asked = getU16Option(request, 57);
  return Math.max(asked ?? 576, 576) - 28;
}
