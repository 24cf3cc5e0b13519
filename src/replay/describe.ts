// Plain, stable JSON for what replay prints: messages by type name and options as hex by code, so two runs (or
// two servers) compare byte for byte.
import { MessageType, type DhcpMessage } from '../codec/types.js';
import type { Decision } from '../server/decision.js';

export interface MessageSummary {
  readonly message: string;
  readonly xid: string;
  readonly ciaddr: string;
  readonly yiaddr: string;
  readonly siaddr: string;
  readonly giaddr: string;
  readonly flags: number;
  /** Option code → value as hex, in the order they appear (concatenated per RFC 3396). */
  readonly options: Readonly<Record<string, string>>;
}

export const typeName = (type: number | undefined): string =>
  type === undefined ? 'BOOTP' : `DHCP${MessageType[type] ?? type}`;

export const xidText = (xid: number): string => `0x${xid.toString(16).padStart(8, '0')}`;

export function summarize(message: DhcpMessage): MessageSummary {
  const type = message.options.find((o) => o.code === 53)?.data[0];
  const options: Record<string, string> = {};
  for (const option of message.options) options[String(option.code)] = (options[String(option.code)] ?? '') + option.data.toString('hex');
  return {
    message: typeName(type), xid: xidText(message.xid), ciaddr: message.ciaddr, yiaddr: message.yiaddr,
    siaddr: message.siaddr, giaddr: message.giaddr, flags: message.flags, options,
  };
}

export function describeDecision(decision: Decision): Record<string, unknown> {
  if (decision.kind === 'accepted') return { decision: 'accepted' };
  if (decision.kind === 'drop') return { decision: 'drop', reason: decision.reason };
  return {
    decision: decision.nakReason === undefined ? 'reply' : 'nak',
    message: typeName(decision.type),
    ...(decision.ip === undefined ? {} : { ip: decision.ip }),
    ...(decision.nakReason === undefined ? {} : { reason: decision.nakReason }),
    ...(decision.subnet === undefined ? {} : { subnet: decision.subnet.cidr }),
  };
}

/** The fields in which two replies differ ("message", "yiaddr", "option 51", …); empty when they agree. */
export function differences(ours: MessageSummary, theirs: MessageSummary): string[] {
  const out: string[] = [];
  for (const field of ['message', 'yiaddr', 'siaddr', 'giaddr', 'ciaddr', 'flags'] as const) {
    if (ours[field] !== theirs[field]) out.push(field);
  }
  const codes = new Set([...Object.keys(ours.options), ...Object.keys(theirs.options)]);
  for (const code of [...codes].sort((a, b) => Number(a) - Number(b))) {
    if (ours.options[code] !== theirs.options[code]) out.push(`option ${code}`);
  }
  return out;
}
