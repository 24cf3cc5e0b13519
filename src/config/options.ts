// Compiles configured DHCP options (RFC 2132) into encoded, code-ordered option lists via the codec's table.
import type { DhcpOption } from '../codec/types.js';
import type { OptionDef } from '../codec/index.js';
import { encodeOptionValue, findOptionDef } from '../codec/index.js';
import type { IssueList, Path } from './issues.js';
import { formatPath } from './issues.js';

/** Options the server computes per message or from other config fields; configuring them is an error. */
export const RESERVED_OPTIONS: ReadonlyMap<number, string> = new Map([
  [0, 'pad is not an option'],
  [255, 'end is not an option'],
  [1, 'the subnet mask comes from the subnet CIDR'],
  [50, 'requested address is a client option'],
  [51, 'use leaseTime'],
  [52, 'option overload is decided when encoding'],
  [53, 'the message type is set per message'],
  [54, 'use serverId'],
  [55, 'parameter request list is a client option'],
  [57, 'maximum message size is a client option'],
  [58, 'use renewalTime'],
  [59, 'use rebindingTime'],
  [61, 'client identifier is a client option'],
  [82, 'relay agent information is added by relays'],
]);

/** Convenience fields and the option each one sets. */
export const CONVENIENCE_FIELDS = [
  ['router', 3],
  ['dnsServers', 6],
  ['domainName', 15],
  ['ntpServers', 42],
] as const;

type ConvenienceField = (typeof CONVENIENCE_FIELDS)[number][0];

/** One level (defaults or a subnet) of option settings as the schema produced them. */
export type OptionLevel = Partial<Record<ConvenienceField, unknown>> & {
  readonly options?: Readonly<Record<string, unknown>> | undefined;
};

interface Entry {
  readonly path: Path;
  readonly data: Buffer;
}

export type OptionMap = ReadonlyMap<number, Entry>;

/** A name or code from the table; a code 1-254 missing from it is sent as raw bytes given in hex. */
function lookup(key: string): OptionDef | undefined {
  const known = findOptionDef(key);
  if (known !== undefined || !/^[0-9]{1,3}$/.test(key)) return known;
  const code = Number(key);
  return code >= 1 && code <= 254 ? { code, name: `option-${code}`, type: 'bytes' } : undefined;
}

function encode(def: OptionDef, value: unknown, path: Path, issues: IssueList): Buffer | undefined {
  try {
    return encodeOptionValue(def, value);
  } catch (error) {
    // The codec's message is the precise reason (a CodecError); anything else is reported the same way.
    issues.add(path, error instanceof Error ? error.message : String(error));
    return undefined;
  }
}

function put(map: Map<number, Entry>, code: number, path: Path, data: Buffer | undefined, issues: IssueList): void {
  const earlier = map.get(code);
  if (earlier !== undefined) {
    issues.add(path, `option ${code} is already set by ${formatPath(earlier.path)}`);
    return;
  }
  if (data !== undefined) map.set(code, { path, data });
}

/** Encodes one level's convenience fields and `options`; each code may be set once per level. */
export function compileOptionLevel(level: OptionLevel, base: Path, issues: IssueList): OptionMap {
  const map = new Map<number, Entry>();
  for (const [field, code] of CONVENIENCE_FIELDS) {
    const value = level[field];
    if (value === undefined) continue;
    const path = [...base, field];
    const def = findOptionDef(code);
    // The table is the codec's; a convenience code missing from it is a programmer error.
    if (def === undefined) throw new TypeError(`option ${code} is missing from the codec's option table`);
    put(map, code, path, encode(def, value, path, issues), issues);
  }
  for (const [key, value] of Object.entries(level.options ?? {})) {
    const path = [...base, 'options', key];
    const def = lookup(key);
    if (def === undefined) {
      issues.add(path, `unknown option "${key}": use a name from the option table or a decimal code 1-254`);
      continue;
    }
    const reserved = RESERVED_OPTIONS.get(def.code);
    if (reserved !== undefined) {
      issues.add(path, `option ${def.code} cannot be configured: ${reserved}`);
      continue;
    }
    put(map, def.code, path, encode(def, value, path, issues), issues);
  }
  return map;
}

/** Subnet options override defaults; option 1 comes from the mask; the result is ordered by code. */
export function mergeOptions(defaults: OptionMap, subnet: OptionMap, mask: number): DhcpOption[] {
  const merged = new Map<number, Buffer>();
  for (const [code, entry] of defaults) merged.set(code, entry.data);
  for (const [code, entry] of subnet) merged.set(code, entry.data);
  const maskBytes = Buffer.alloc(4);
  maskBytes.writeUInt32BE(mask);
  merged.set(1, maskBytes); // RFC 2132 §3.3
  return [...merged.entries()].sort(([a], [b]) => a - b).map(([code, data]) => ({ code, data }));
}
