// The codec's public surface: bytes <-> DhcpMessage, the option table, and typed option accessors.
export * from './types.js';
export { decode, decodeRequest, type DecodeOptions, type DecodeResult } from './decode.js';
export { ownedBytes } from './own-buffer.js';
export { encode, encodedSize, type EncodeOptions } from './encode.js';
export { ZERO_FILE, ZERO_SNAME } from './zero-fields.js';
export {
  OPTION_DEFS, findOptionDef, encodeOptionValue, decodeOptionValue,
  type OptionDef, type OptionType, type OptionValueResult,
} from './options.js';
export {
  getOption, getIpOption, getU8Option, getU16Option, getU32Option, getParameterRequestList, messageTypeOf,
  hwAddressOf, clientIdHex, relayAgentSubOptions, linkSelectionOf, ipToInt, intToIp, isIpv4,
} from './accessors.js';
export { parseIpv4 } from './ip.js';
export { toColonHex, parseHex } from './hex.js';
export { TextTable } from './interned.js';
export type { SubOption } from './values/relay-agent.js';
export type { ClasslessRoute } from './values/routes.js';
export type { ClientFqdn } from './values/client-fqdn.js';
export {
  MIN_MESSAGE_SIZE, MIN_PAYLOAD_LIMIT, OPT_MESSAGE_TYPE, OPT_SERVER_ID, OPT_OVERLOAD, OPT_END, OPT_PAD,
} from './wire.js';
