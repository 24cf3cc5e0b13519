// The DHCP option table (RFC 2132 and later RFCs; names in ISC Kea's kebab-case) and its value codecs.
import { CodecError } from '../errors.js';
import * as scalar from './values/scalars.js';
import { decodeDomainList, encodeDomainList } from './values/dns-name.js';
import { decodeRoutes, encodeRoutes } from './values/routes.js';
import { decodeRelayAgent, encodeRelayAgent } from './values/relay-agent.js';
import { decodeClientFqdn, encodeClientFqdn } from './values/client-fqdn.js';

export type OptionType =
  | 'ip' | 'ips' | 'u8' | 'u16' | 'u32' | 'i32' | 'bool' | 'string' | 'bytes' | 'u8s'
  | 'routes' | 'domains' | 'relay-agent' | 'client-fqdn';

export interface OptionDef {
  readonly code: number;
  readonly name: string;
  readonly type: OptionType;
}

const def = (code: number, name: string, type: OptionType): OptionDef => Object.freeze({ code, name, type });

/** The one option table. Codes not listed here are carried as raw bytes. */
export const OPTION_DEFS: readonly OptionDef[] = Object.freeze([
  def(1, 'subnet-mask', 'ip'),
  def(2, 'time-offset', 'i32'),
  def(3, 'routers', 'ips'),
  def(4, 'time-servers', 'ips'),
  def(5, 'name-servers', 'ips'),
  def(6, 'domain-name-servers', 'ips'),
  def(7, 'log-servers', 'ips'),
  def(9, 'lpr-servers', 'ips'),
  def(12, 'host-name', 'string'),
  def(13, 'boot-size', 'u16'),
  def(15, 'domain-name', 'string'),
  def(17, 'root-path', 'string'),
  def(19, 'ip-forwarding', 'bool'),
  def(23, 'default-ip-ttl', 'u8'),
  def(26, 'interface-mtu', 'u16'),
  def(28, 'broadcast-address', 'ip'),
  def(35, 'arp-cache-timeout', 'u32'),
  def(40, 'nis-domain', 'string'),
  def(41, 'nis-servers', 'ips'),
  def(42, 'ntp-servers', 'ips'),
  def(43, 'vendor-encapsulated-options', 'bytes'),
  def(44, 'netbios-name-servers', 'ips'),
  def(45, 'netbios-dd-server', 'ips'),
  def(46, 'netbios-node-type', 'u8'),
  def(47, 'netbios-scope', 'string'),
  def(50, 'requested-address', 'ip'),
  def(51, 'lease-time', 'u32'),
  def(52, 'option-overload', 'u8'),
  def(53, 'message-type', 'u8'),
  def(54, 'server-identifier', 'ip'),
  def(55, 'parameter-request-list', 'u8s'),
  def(56, 'message', 'string'),
  def(57, 'max-message-size', 'u16'),
  def(58, 'renewal-time', 'u32'),
  def(59, 'rebinding-time', 'u32'),
  def(60, 'vendor-class-identifier', 'string'),
  def(61, 'client-identifier', 'bytes'),
  def(66, 'tftp-server-name', 'string'),
  def(67, 'boot-file-name', 'string'),
  def(69, 'smtp-server', 'ips'),
  def(77, 'user-class', 'bytes'),
  def(81, 'client-fqdn', 'client-fqdn'),
  def(82, 'relay-agent-information', 'relay-agent'),
  def(100, 'pcode', 'string'),
  def(101, 'tcode', 'string'),
  def(114, 'v4-captive-portal', 'string'),
  def(118, 'subnet-selection', 'ip'),
  def(119, 'domain-search', 'domains'),
  def(121, 'classless-static-routes', 'routes'),
  def(150, 'tftp-server-address', 'ips'),
  def(252, 'wpad-url', 'string'),
]);

const BY_CODE: ReadonlyMap<number, OptionDef> = new Map(OPTION_DEFS.map((d) => [d.code, d]));
const BY_NAME: ReadonlyMap<string, OptionDef> = new Map(OPTION_DEFS.map((d) => [d.name, d]));

function isDigits(s: string): boolean {
  if (s.length === 0 || s.length > 3) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Looks an option up by name ("routers"), code (3) or code as text ("3"). */
export function findOptionDef(nameOrCode: string | number): OptionDef | undefined {
  if (typeof nameOrCode === 'number') return BY_CODE.get(nameOrCode);
  return isDigits(nameOrCode) ? BY_CODE.get(Number(nameOrCode)) : BY_NAME.get(nameOrCode);
}

/**
 * Encodes a config-file (JSON-friendly) value for `def`: ip "198.51.100.1"; ips string[] or one string;
 * u8/u16/u32/i32 number; bool; string; bytes as hex "01:02:0a" or "01020a"; u8s number[];
 * routes [{destination: "a.b.c.d/len", router}]; domains string[]; relay-agent [{code, data: hex}];
 * client-fqdn {flags, rcode1, rcode2, name}.
 *
 * @throws CodecError DHCPD_ERR_CODEC_BAD_OPTION_VALUE whose message is the reason, e.g.
 *   `expected an IPv4 address, got "300.1.1.1"`; details.option names the option.
 */
export function encodeOptionValue(def: OptionDef, value: unknown): Buffer {
  try {
    return encodeByType(def.type, value);
  } catch (error) {
    throw withOption(error, def);
  }
}

function encodeByType(type: OptionType, value: unknown): Buffer {
  switch (type) {
    case 'ip': return scalar.encodeIp(value);
    case 'ips': return scalar.encodeIps(value);
    case 'u8': case 'u16': case 'u32': case 'i32': return scalar.encodeInt(type, value);
    case 'bool': return scalar.encodeBool(value);
    case 'string': return scalar.encodeString(value);
    case 'bytes': return scalar.encodeBytes(value);
    case 'u8s': return scalar.encodeU8s(value);
    case 'routes': return encodeRoutes(value);
    case 'domains': return encodeDomainList(value);
    case 'relay-agent': return encodeRelayAgent(value);
    case 'client-fqdn': return encodeClientFqdn(value);
  }
}

/** The result of decodeOptionValue: a value, or the reason the bytes do not fit the option's format. */
export type OptionValueResult = { ok: true; value: unknown } | { ok: false; error: CodecError };

/** Decodes option data into the JSON-friendly form encodeOptionValue takes. Never throws. */
export function decodeOptionValue(def: OptionDef, data: Buffer): OptionValueResult {
  try {
    return { ok: true, value: decodeByType(def.type, data) };
  } catch (error) {
    return { ok: false, error: withOption(error, def) };
  }
}

function decodeByType(type: OptionType, data: Buffer): unknown {
  switch (type) {
    case 'ip': return scalar.decodeIp(data);
    case 'ips': return scalar.decodeIps(data);
    case 'u8': case 'u16': case 'u32': case 'i32': return scalar.decodeInt(type, data);
    case 'bool': return scalar.decodeBool(data);
    case 'string': return scalar.decodeString(data);
    case 'bytes': return scalar.decodeBytes(data);
    case 'u8s': return scalar.decodeU8s(data);
    case 'routes': return decodeRoutes(data);
    case 'domains': return decodeDomainList(data);
    case 'relay-agent': return decodeRelayAgent(data);
    case 'client-fqdn': return decodeClientFqdn(data);
  }
}

/** Adds the option to a value error's details. Anything else escaping a value codec is a bug: it is wrapped so
 * that decodeOptionValue still never throws, and encodeOptionValue reports it as a bad value with its cause. */
function withOption(error: unknown, def: OptionDef): CodecError {
  const option = { option: def.name, code: def.code };
  if (error instanceof CodecError) {
    return new CodecError(error.code, error.message, { details: { ...error.details, ...option } });
  }
  const message = `option ${def.name} (${def.code}): ${error instanceof Error ? error.message : String(error)}`;
  return new CodecError('DHCPD_ERR_CODEC_BAD_OPTION_VALUE', message, { cause: error, details: option });
}
